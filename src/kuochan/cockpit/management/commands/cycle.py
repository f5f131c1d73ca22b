import json

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from kuochan.cockpit.models import CycleRun
from kuochan.cockpit.selectors import default_month
from kuochan.cockpit.services import cycle_run, cycle_settings
from kuochan.cockpit.tasks import next_tick, schedule_tick, tick_pending
from kuochan.imports.parsing import CellError, to_month


def _run_out(run: CycleRun) -> dict:
    return {
        "month": f"{run.month:%Y-%m}", "trigger": run.trigger, "status": run.status,
        "started_at": timezone.localtime(run.started_at).isoformat(timespec="seconds"), "seconds": run.seconds,
        "steps": run.steps, "error": run.error, "report": run.report_id,
    }  # fmt: skip


class Command(BaseCommand):
    requires_system_checks = []  # run by `kuochan check`; they load every page and API route (about 1 s)
    help = (
        "月度流程：kuochan cycle start 启动每日定时任务（由后台任务运行）；"
        "kuochan cycle run [--month YYYY-MM] 立即运行；kuochan cycle status 查看运行记录"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        verbs = parser.add_subparsers(dest="verb", required=True)
        verbs.add_parser("start", help="启动每日定时任务")
        run = verbs.add_parser("run", help="立即运行某月的月度流程")
        run.add_argument("--month", help="月份 YYYY-MM（默认上一个完整月份）")
        run.add_argument("--format", choices=["text", "json"], default="text")
        status = verbs.add_parser("status", help="最近的运行记录")
        status.add_argument("--format", choices=["text", "json"], default="text")

    def handle(self, *args: object, **options: object) -> None:
        verb = options["verb"]
        if verb == "start":
            if tick_pending():
                self.stdout.write("每日定时任务已在队列中，无需重复启动。")
                return
            schedule_tick(timezone.now())
            self.stdout.write(
                f"已启动：现在运行一次，此后每天 {next_tick():%H:%M} 运行（需运行 kuochan db_worker）。"
            )
            return
        if verb == "run":
            try:
                chosen = to_month(options["month"]) if options["month"] else None
            except CellError as exc:
                raise CommandError(f"--month 应为 YYYY-MM，收到“{options['month']}”。", returncode=2) from exc
            year, month = (chosen.year, chosen.month) if chosen else default_month()
            run = cycle_run(year=year, month=month, trigger="command")
            if options["format"] == "json":
                self.stdout.write(json.dumps(_run_out(run), ensure_ascii=False))
            else:
                for step in run.steps:
                    self.stdout.write(f"{step['step']}：{step['result']}（{step['seconds']} 秒）")
                self.stdout.write(
                    f"{run.get_status_display()}，用时 {run.seconds} 秒{('：' + run.error) if run.error else ''}"
                )
            if run.status == CycleRun.Status.FAILED:
                raise CommandError(run.error, returncode=1)
            return
        runs = list(CycleRun.objects.all()[:12])
        settings = cycle_settings()
        if options["format"] == "json":
            self.stdout.write(json.dumps(
                {"day": settings.day, "enabled": settings.enabled, "scheduled": tick_pending(),
                 "runs": [_run_out(r) for r in runs]}, ensure_ascii=False,
            ))  # fmt: skip
            return
        state = "已启用" if settings.enabled else "已停用"
        self.stdout.write(
            f"每月 {settings.day} 日运行（{state}）；每日定时任务{'已在队列中' if tick_pending() else '未启动'}"
        )
        for r in runs:
            self.stdout.write(
                f"{r.month:%Y-%m}\t{r.get_status_display()}\t{r.trigger}\t{r.seconds} 秒\t{r.error}"
            )
