"""Piccolo's configuration: the engine every table uses, and the registry of service apps."""

from piccolo.conf.apps import AppRegistry

from infra.database import create_engine

DB = create_engine()

APP_REGISTRY = AppRegistry(
    apps=[
        "tenants.piccolo_app",
        "services.identity.piccolo_app",
        "services.contacts.piccolo_app",
        "services.pipeline.piccolo_app",
        "services.partners.piccolo_app",
        "services.reporting.piccolo_app",
        "webhooks.piccolo_app",
    ]
)
