"""Runtime settings, read from `TAWASUL_*` environment variables once per process and passed down.

A service that needs more declares its own subclass (`IntakeSettings`, `NotifySettings`, …); the composition
root builds the one its process runs.
"""

from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict
from sqlalchemy.engine import URL, make_url


class Settings(BaseSettings):
    """Everything a service or the supervisor needs to know about its surroundings."""

    model_config = SettingsConfigDict(env_prefix="TAWASUL_", extra="ignore")

    kafka_bootstrap: str | None = None
    """An existing Kafka cluster; unset means the embedded broker."""
    database_url: str | None = None
    """An existing PostgreSQL server; each service creates its own database on it."""
    namespace: str = Field(default="", pattern=r"^[a-z0-9_]*$")
    """Prefix for topics, consumer groups and databases, so several systems can share one cluster."""

    kafka_security_protocol: Literal["PLAINTEXT", "SASL_PLAINTEXT", "SASL_SSL"] = "PLAINTEXT"
    """PLAINTEXT for the embedded broker; a production cluster wants SASL/SCRAM, over TLS beyond a private network."""
    kafka_sasl_mechanism: Literal["SCRAM-SHA-256", "SCRAM-SHA-512"] = "SCRAM-SHA-512"
    kafka_username: str | None = None
    """The service's own Kafka principal: the ACLs in deploy/ let each write only the topics it owns."""
    kafka_password: SecretStr | None = None
    kafka_ca_file: Path | None = None
    """The certificate authority of the brokers' TLS certificates (SASL_SSL); unset means the system's."""

    home: Path = Path(".tawasul")
    kafka_port: int = 9092
    topic_partitions: int = Field(default=6, ge=1)
    topic_replication: int = Field(default=1, ge=1)
    kafka_session_timeout_ms: int = 10_000
    kafka_heartbeat_interval_ms: int = 3_000
    """The embedded broker holds each group join for half the session timeout: `tawasul up` shortens it there."""

    http_host: str = "127.0.0.1"
    http_port: int | None = None
    """Where this process serves HTTP; unset means the service's own default port."""
    log_format: Literal["console", "json"] = "console"
    log_level: str = "INFO"
    traces_dir: Path | None = None
    """Write each service's spans to `<dir>/<service>.jsonl` (OTLP export follows the OTEL_* variables)."""

    consumer_batch_size: int = Field(default=500, ge=1)
    consumer_batch_timeout_ms: int = Field(default=100, ge=1)
    consumer_fetch_max_wait_ms: int = Field(default=50, ge=0)
    """How long the broker may hold a fetch for more data: the floor of each hop's latency when idle."""
    relay_batch_size: int = Field(default=1000, ge=1)
    relay_poll_interval_s: float = Field(default=1.0, gt=0)
    seal_key: SecretStr | None = None
    """The service's Ed25519 signing key for its store's checkpoints (base64 of the 32 raw bytes); unset, the key
    kept in `home/keys/SERVICE.ed25519` (made on first use)."""
    seal_checkpoint_interval_s: float = Field(default=60.0, gt=0)
    """How often the sealer signs a checkpoint of the store's Merkle tree (when it has grown)."""

    @model_validator(mode="after")
    def _credentials(self) -> "Settings":
        if self.kafka_security_protocol != "PLAINTEXT" and not (self.kafka_username and self.kafka_password):
            raise ValueError(f"TAWASUL_KAFKA_SECURITY_PROTOCOL={self.kafka_security_protocol} needs "
                             "TAWASUL_KAFKA_USERNAME and TAWASUL_KAFKA_PASSWORD")
        return self

    def topic(self, name: str) -> str:
        return f"{self.namespace}.{name}" if self.namespace else name

    def group(self, service: str) -> str:
        return self.topic(f"tawasul.{service}")

    def database_name(self, service: str) -> str:
        return f"{self.namespace}_{service}" if self.namespace else service

    def service_database_url(self, service: str) -> URL:
        if self.database_url is None:
            raise RuntimeError("TAWASUL_DATABASE_URL is not set and no embedded server was started")
        url = make_url(self.database_url).set(drivername="postgresql+psycopg")
        return url.set(database=self.database_name(service))
