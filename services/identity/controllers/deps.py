"""Dependencies identity's handlers declare."""

from typing import TypeAlias

from litestar.di import NamedDependency

from infra.runtime import Runtime

# The app's runtime (settings, Redis), provided by infra.web as `runtime`.
RuntimeDep: TypeAlias = NamedDependency[Runtime]
