from django.apps import AppConfig


class MonitoringConfig(AppConfig):
    name = "monitoring"
    verbose_name = "Monitoring"

    def ready(self) -> None:
        from monitoring import signals
        from monitoring.collector import register_prometheus_collector

        signals.connect()
        register_prometheus_collector()
