from django.apps import AppConfig


class StatisticsConfig(AppConfig):
    name = "kuochan.statistics"
    label = "statistics"
    verbose_name = "工业经济统计"
