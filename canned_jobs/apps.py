from django.apps import AppConfig


class CannedJobsConfig(AppConfig):
    name = "canned_jobs"
    verbose_name = "Canned jobs"
