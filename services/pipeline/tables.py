"""Pipeline's tables: the stages of the sales process."""

from piccolo.columns import Boolean, Integer, Varchar

from tenants.tables import TenantTable


class Stage(TenantTable, tablename="stage"):
    name_vi = Varchar(length=100, null=False)
    name_en = Varchar(length=100, null=False)
    sequence = Integer(default=0, null=False)
    probability = Integer(default=0, null=False)
    is_won = Boolean(default=False, null=False)
