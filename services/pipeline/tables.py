"""Pipeline's tables: the stages of the sales process."""

from piccolo.columns import UUID, Boolean, Date, ForeignKey, Integer, Text, Timestamptz, Varchar
from piccolo.columns.base import OnDelete

from tenants.tables import TenantTable


class Stage(TenantTable, tablename="stage"):
    name_vi = Varchar(length=100, null=False)
    name_en = Varchar(length=100, null=False)
    sequence = Integer(default=0, null=False)
    probability = Integer(default=0, null=False)
    is_won = Boolean(default=False, null=False)


# -- activities (issue 6, items 2 and 3) -------------------------------------------------------------------


class ActivityType(TenantTable, tablename="activity_type"):
    """A kind of activity (a call, a meeting), and what is scheduled after one is done (Odoo-style chaining)."""

    name_vi = Varchar(length=100, null=False)
    name_en = Varchar(length=100, null=False)
    category = Varchar(length=16, null=False)  # call | meeting | email | todo | upload_document
    default_summary = Varchar(length=255, null=True, default=None)
    default_note = Text(null=True, default=None)
    default_assignee_id = UUID(null=True, default=None)  # identity's user id
    # An activity of this type is due this long after the completion date, or after the previous activity's
    # deadline when one of this type is scheduled as the next.
    delay_count = Integer(default=0, null=False)
    delay_unit = Varchar(length=8, default="days", null=False)  # days | weeks | months
    delay_from = Varchar(length=16, default="completion", null=False)  # completion | deadline
    chaining = Varchar(length=8, default="none", null=False)  # none | trigger | suggest
    # SET NULL only matters when a whole tenant is erased: types are archived, never deleted.
    next_type_id: ForeignKey["ActivityType"] = ForeignKey(
        references="self", null=True, default=None, on_delete=OnDelete.set_null)
    position = Integer(default=0, null=False)
    is_active = Boolean(default=True, null=False)
    seed_key = Varchar(length=32, null=True, default=None)  # the seeded defaults; unique per tenant (migration)


class Activity(TenantTable, tablename="activity"):
    """Something to do about a record (a customer, an opportunity, a quotation, a contract), by a member."""

    record_type = Varchar(length=16, null=False)
    record_id = UUID(null=False, default=None)  # no foreign key: the record lives in this or another service's table
    type_id = ForeignKey(references=ActivityType, null=False, on_delete=OnDelete.cascade)
    summary = Varchar(length=255, null=False)
    note = Text(null=True, default=None)
    # The assignee's user id, and the team and branch they sat in when it was assigned (data visibility).
    assignee_id = UUID(null=False, default=None)
    team_id = UUID(null=True, default=None)
    branch_id = UUID(null=True, default=None)
    # An all-day activity is due on `due_date` (the tenant's local date); a timed one at `due_at`, and its
    # `due_date` is the local date it had when scheduled. `due_at` of an all-day one is that day's start.
    due_date = Date(null=False, default=None)
    due_at = Timestamptz(null=False, default=None)
    all_day = Boolean(default=True, null=False)
    status = Varchar(length=12, default="open", null=False)  # open | done | cancelled
    feedback = Text(null=True, default=None)
    done_at = Timestamptz(null=True, default=None)
    done_by = UUID(null=True, default=None)
    cancelled_at = Timestamptz(null=True, default=None)
    # Set when done with a type that triggers a next one: the type to create. The job that finds completions
    # without their next activity looks for it.
    chain_type_id = UUID(null=True, default=None)
    # The activity whose completion created this one; unique per tenant (migration), so each completion
    # creates at most one next activity, whoever (a request, a job) gets there first.
    created_from_activity_id = UUID(null=True, default=None)


class CalendarFeed(TenantTable, tablename="calendar_feed"):
    """A member's private iCalendar feed: only a SHA-256 of its URL token is kept; one per member (migration)."""

    user_id = UUID(null=False, default=None)
    token_hash = Varchar(length=64, unique=True, null=False, secret=True)


class Notification(TenantTable, tablename="notification"):
    """An in-app notification of a member. Activity reminders: at most one per activity, kind and deadline
    (migration), which is what makes each reminder go out once, and again after a reschedule."""

    user_id = UUID(null=False, default=None)
    kind = Varchar(length=32, null=False)  # activity_due_soon | activity_overdue
    activity_id = ForeignKey(references=Activity, null=True, default=None, on_delete=OnDelete.cascade)
    read_at = Timestamptz(null=True, default=None)
    deadline = Timestamptz(null=True, default=None)  # the activity's deadline the reminder was about
