"""Pipeline's tables: the stages of the sales process, leads and opportunities, lost reasons."""

from piccolo.columns import UUID, Array, BigInt, Boolean, Date, ForeignKey, Integer, Text, Timestamptz, Varchar
from piccolo.columns.base import OnDelete
from piccolo.columns.defaults.timestamptz import TimestamptzNow

from tenants.tables import TenantTable


class Stage(TenantTable, tablename="stage"):
    name_vi = Varchar(length=100, null=False)
    name_en = Varchar(length=100, null=False)
    sequence = Integer(default=0, null=False)
    probability = Integer(default=0, null=False)
    is_won = Boolean(default=False, null=False)
    team_id = UUID(null=True, default=None)  # identity's SalesTeam; None: shared by all teams
    is_folded = Boolean(default=False, null=False)  # shown folded on the board
    requirements = Text(null=True, default=None)
    rotting_days = Integer(null=True, default=None)  # flagged on the board after this many days in the stage


class LostReason(TenantTable, tablename="lost_reason"):
    name_vi = Varchar(length=100, null=False)
    name_en = Varchar(length=100, null=False)
    is_active = Boolean(default=True, null=False)
    seed_key = Varchar(length=32, null=True, default=None)  # unique per tenant when set: seeding runs once


class Opportunity(TenantTable, tablename="opportunity"):
    """A lead or, once qualified, an opportunity (one table, as Odoo does)."""

    kind = Varchar(length=16, default="opportunity", null=False)  # lead | opportunity
    name = Varchar(length=255, null=False)
    customer_id = UUID(null=True, default=None)  # contacts' customer; None on a lead not yet qualified
    contact_person_id = UUID(null=True, default=None)
    # Visibility (`tenants.access.visible_to`): identity's ids, so no foreign keys.
    owner_id = UUID(null=True, default=None)
    team_id = UUID(null=True, default=None)
    branch_id = UUID(null=True, default=None)
    stage_id = ForeignKey(references=Stage, null=True, default=None, on_delete=OnDelete.restrict)
    expected_revenue = BigInt(default=0, null=False)  # minor units of `currency`
    currency = Varchar(length=3, default="VND", null=False)
    probability = Integer(default=0, null=False)
    probability_manual = Boolean(default=False, null=False)  # set by hand: no longer follows the stage
    expected_close_date = Date(null=True, default=None)
    priority = Integer(default=0, null=False)  # 0-3
    tags = Array(base_column=Varchar(length=100), default=[], null=False)
    source = Varchar(length=120, null=True, default=None)
    state = Varchar(length=8, default="open", null=False)  # open | won | lost
    lost_reason_id = ForeignKey(references=LostReason, null=True, default=None, on_delete=OnDelete.restrict)
    lost_note = Text(null=True, default=None)
    closed_at = Timestamptz(null=True, default=None)
    date_last_stage_update = Timestamptz(default=TimestamptzNow(), null=False)
    # Lead fields carried over when qualifying into a new customer.
    email = Varchar(length=254, null=True, default=None)
    phone = Varchar(length=20, null=True, default=None)


class StageMove(TenantTable, tablename="stage_move"):
    """One move of an opportunity between stages. Stage ids without foreign keys: history outlives stages."""

    opportunity_id = ForeignKey(references=Opportunity, null=False, on_delete=OnDelete.cascade)
    from_stage_id = UUID(null=True, default=None)
    to_stage_id = UUID(null=True, default=None)
    seconds_in_previous = BigInt(null=True, default=None)
    actor_kind = Varchar(length=16, null=False)  # user | api_key | system
    actor_id = UUID(null=True, default=None)
