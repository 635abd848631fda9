"""Settings, database, Redis and rq, S3 storage, the local stack and the `crm` command line."""

import os

# Piccolo looks its engine up in this module; set before any table runs a query.
os.environ.setdefault("PICCOLO_CONF", "infra.piccolo_conf")
