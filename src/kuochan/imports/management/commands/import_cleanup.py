from django.core.management.base import BaseCommand

from kuochan.imports.services import uploads_expire


class Command(BaseCommand):
    help = "删除上传后一天内未确认导入的文件，并将其标记为已过期（每天运行一次；后台任务每天早上也会执行）。"

    def handle(self, *args: object, **options: object) -> None:
        self.stdout.write(f"已清理 {uploads_expire()} 个过期的待导入文件。")
