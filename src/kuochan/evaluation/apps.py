from django.apps import AppConfig


class EvaluationConfig(AppConfig):
    name = "kuochan.evaluation"
    label = "evaluation"
