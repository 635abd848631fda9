"""Partners' tables: territories that dealers and salespeople cover."""

from piccolo.columns import Array, Varchar

from tenants.tables import TenantTable


class Territory(TenantTable, tablename="territory"):
    name = Varchar(length=100, null=False)
    province_codes = Array(base_column=Varchar(length=8), default=list, null=False)
