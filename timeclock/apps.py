from django.apps import AppConfig


class TimeclockConfig(AppConfig):
    name = "timeclock"
    verbose_name = "Time clock"
