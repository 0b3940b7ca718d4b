from celery.schedules import crontab


# A CeleryConfig class with upper- and lower-case attributes and crontab schedules.
class CeleryConfig(object):
    BROKER_URL = "redis://redis:6379/0"
    CELERY_IMPORTS = ("superset.sql_lab", "superset.tasks")
    CELERY_RESULT_BACKEND = "redis://redis:6379/0"
    worker_prefetch_multiplier = 10
    task_acks_late = True
    beat_schedule = {
        "reports.scheduler": {"task": "reports.scheduler", "schedule": crontab(minute="*", hour="*")},
        "reports.prune_log": {"task": "reports.prune_log", "schedule": crontab(minute=0, hour=0)},
    }

    def not_data(self):
        return 1


CELERY_CONFIG = CeleryConfig
RESULTS_BACKEND = None
