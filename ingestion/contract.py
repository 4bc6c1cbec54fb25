"""The canonical export contract: which files the inbox holds and what each column means.

This module is the single source of truth for the export families. The loader validates
against it, the demo generator writes it, and `docs/export-contract.md` documents it
(a test checks the two agree).

Values arrive as text. Types here say how a value must parse:
- ``text``: any non-empty string when required.
- ``decimal``: a plain decimal number with ``.`` as separator (``125000.50``), no thousands
  separator.
- ``date``: ISO ``YYYY-MM-DD``.
- ``timestamp``: ISO ``YYYY-MM-DD HH:MM:SS`` (a ``T`` separator is accepted), local time in the
  configured time zone (default Asia/Shanghai), no offset.
- ``boolean``: ``true`` / ``false``.
- ``enum``: one of ``allowed`` (case-sensitive, lower case).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

ColumnType = Literal["text", "decimal", "date", "timestamp", "boolean", "enum"]


@dataclass(frozen=True)
class Column:
    name: str
    type: ColumnType
    required: bool
    meaning: str
    example: str
    allowed: tuple[str, ...] = ()
    non_negative: bool = False


@dataclass(frozen=True)
class Family:
    """One export family: a kind of file in the inbox, loaded into ``raw.<name>``."""

    name: str
    source: str  # dbt source name, also the first part of the Dagster asset key
    file_glob: str
    key: tuple[str, ...]  # columns that identify a row within one file
    description: str
    columns: tuple[Column, ...]
    parent: tuple[str, str] | None = (
        None  # (column, family) that must exist, or the row is quarantined
    )
    conditional_required: tuple[tuple[str, tuple[str, ...], str], ...] = field(default=())
    # (column, values of `status` that make it required, reason code)

    @property
    def column_names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns)

    @property
    def asset_key(self) -> tuple[str, str]:
        return (self.source, self.name)


OPPORTUNITY_STATUSES = ("open", "won", "lost", "invalid", "paused")
OPPORTUNITY_TYPES = ("new", "renewal", "upsell")
CUSTOMER_TYPES = ("enterprise", "government", "public_institution")
TIERS = ("A", "B", "C")
ORDER_STATUSES = ("open", "fulfilled", "cancelled")

OPPORTUNITIES = Family(
    name="opportunities",
    source="crm",
    file_glob="opportunities*.csv",
    key=("opportunity_id",),
    description="One row per opportunity (商机) as it stands at export time.",
    columns=(
        Column("opportunity_id", "text", True, "Opportunity id in the CRM", "OPP0000001"),
        Column(
            "opportunity_name", "text", True, "Opportunity name (商机名称)", "华东电网 2025 扩容"
        ),
        Column("account_id", "text", True, "Customer account id (客户)", "ACC000001"),
        Column("owner_id", "text", True, "Owning sales rep id (负责人)", "REP0001"),
        Column(
            "opportunity_type",
            "enum",
            True,
            "new (新签), renewal (续签) or upsell (再销售)",
            "new",
            allowed=OPPORTUNITY_TYPES,
        ),
        Column(
            "source",
            "text",
            False,
            "Where it came from (商机来源): lead, referral, inbound ...",
            "referral",
        ),
        Column(
            "sales_process",
            "text",
            False,
            "Sales process code; its stages are sales-ops config. Blank or absent: the "
            "process the rules of sales_process_rules.csv choose",
            "standard",
        ),
        Column("product_category", "text", False, "Product category (产品类别)", "software"),
        Column(
            "amount",
            "decimal",
            False,
            "Expected deal amount (预计金额), in `currency`",
            "250000.00",
            non_negative=True,
        ),
        Column("currency", "text", False, "ISO 4217 currency code; empty means CNY", "CNY"),
        Column(
            "current_stage",
            "text",
            True,
            "Stage code the opportunity is in now (当前阶段)",
            "proposal",
        ),
        Column(
            "created_at",
            "timestamp",
            True,
            "When the opportunity was created (创建时间)",
            "2025-03-05 09:30:00",
        ),
        Column(
            "expected_close_date", "date", False, "Expected close date (预计成交日期)", "2025-06-30"
        ),
        Column(
            "status",
            "enum",
            True,
            "open (跟进中), won (赢单), lost (输单), invalid (无效), paused (暂停)",
            "open",
            allowed=OPPORTUNITY_STATUSES,
        ),
        Column(
            "closed_date",
            "date",
            False,
            "Date it was won, lost or invalidated; required when status is won, lost or invalid",
            "2025-07-02",
        ),
        Column("lost_reason", "text", False, "Why it was lost or invalid (输单原因)", "price"),
        Column(
            "next_follow_up_date",
            "date",
            False,
            "Next planned follow-up (下次联系时间); a future date marks a future opportunity",
            "2025-08-01",
        ),
    ),
    conditional_required=(("closed_date", ("won", "lost", "invalid"), "closed_without_date"),),
)

STAGE_HISTORY = Family(
    name="stage_history",
    source="crm",
    file_glob="stage_history*.csv",
    key=("opportunity_id", "to_stage", "changed_at"),
    description=(
        "One row per stage change of an opportunity (阶段变更记录), including its first stage. "
        "Optional: for opportunities without any, the stage changes are inferred from "
        "consecutive opportunities exports, to the day (docs/ingestion.md, snapshot-only CRMs)."
    ),
    columns=(
        Column("opportunity_id", "text", True, "The opportunity that changed stage", "OPP0000001"),
        Column(
            "from_stage",
            "text",
            False,
            "Stage before the change; empty for the first stage",
            "needs_confirmed",
        ),
        Column("to_stage", "text", True, "Stage after the change", "proposal"),
        Column("changed_at", "timestamp", True, "When the change happened", "2025-03-19 14:02:11"),
        Column("changed_by", "text", False, "User id who made the change", "REP0001"),
    ),
    parent=("opportunity_id", "opportunities"),
)

ACCOUNTS = Family(
    name="accounts",
    source="crm",
    file_glob="accounts*.csv",
    key=("account_id",),
    description="One row per customer account (客户).",
    columns=(
        Column("account_id", "text", True, "Account id", "ACC000001"),
        Column("account_name", "text", True, "Customer name (客户名称)", "国网某省电力公司"),
        Column(
            "credit_code",
            "text",
            False,
            "Unified social credit code (统一社会信用代码), 18 characters, GB 32100-2015",
            "91350100M000100Y43",
        ),
        Column(
            "customer_type",
            "enum",
            True,
            "enterprise (企业), government (政府) or public_institution (事业单位)",
            "enterprise",
            allowed=CUSTOMER_TYPES,
        ),
        Column(
            "tier",
            "enum",
            True,
            "Customer tier A / B / C (客户等级); A is key account (KA)",
            "A",
            allowed=TIERS,
        ),
        Column("industry", "text", False, "Industry (行业)", "power"),
        Column("region", "text", False, "Sales region (区域)", "east"),
        Column("branch", "text", False, "Branch office (分公司)", "shanghai"),
    ),
)

SALES_REPS = Family(
    name="sales_reps",
    source="crm",
    file_glob="sales_reps*.csv",
    key=("rep_id",),
    description="One row per sales rep (销售人员).",
    columns=(
        Column("rep_id", "text", True, "Rep (user) id", "REP0001"),
        Column("rep_name", "text", True, "Name", "张伟"),
        Column("team", "text", True, "Sales team (销售团队)", "east-1"),
        Column("branch", "text", False, "Branch office", "shanghai"),
        Column("region", "text", False, "Region", "east"),
        Column("manager_id", "text", False, "The rep's manager (a rep id)", "REP0002"),
        Column("active", "boolean", True, "Whether the rep is still employed", "true"),
    ),
)

CONTRACTS = Family(
    name="contracts",
    source="erp",
    file_glob="contracts*.csv",
    key=("contract_id",),
    description="One row per signed contract (合同).",
    columns=(
        Column("contract_id", "text", True, "Contract id", "CON0000001"),
        Column("opportunity_id", "text", False, "The won opportunity it came from", "OPP0000001"),
        Column("account_id", "text", True, "Customer account id", "ACC000001"),
        Column("signed_date", "date", True, "Date signed (签订日期)", "2025-07-10"),
        Column("start_date", "date", True, "Service start", "2025-08-01"),
        Column("end_date", "date", True, "Service end; renewals are due before it", "2026-07-31"),
        Column(
            "amount", "decimal", True, "Contract amount (合同金额)", "240000.00", non_negative=True
        ),
    ),
)

ORDERS = Family(
    name="orders",
    source="erp",
    file_glob="orders*.csv",
    key=("order_id",),
    description="One row per order (订单) placed against a contract.",
    columns=(
        Column("order_id", "text", True, "Order id", "ORD0000001"),
        Column("contract_id", "text", False, "Contract it is placed against", "CON0000001"),
        Column("order_date", "date", True, "Order date (下单日期)", "2025-08-15"),
        Column("amount", "decimal", True, "Order amount", "80000.00", non_negative=True),
        Column(
            "status",
            "enum",
            True,
            "open, fulfilled or cancelled",
            "fulfilled",
            allowed=ORDER_STATUSES,
        ),
    ),
)

LEAD_STATUSES = ("open", "converted", "disqualified")
ACTIVITY_TYPES = ("visit", "call", "meeting", "demo", "proposal_sent")

LEADS = Family(
    name="leads",
    source="crm",
    file_glob="leads*.csv",
    key=("lead_id",),
    description=(
        "Optional. One row per sales lead (线索) as it stands at export time; a converted lead "
        "names the opportunity it became."
    ),
    columns=(
        Column("lead_id", "text", True, "Lead id in the CRM", "LEAD0000001"),
        Column("created_at", "timestamp", True, "When the lead was created", "2025-02-20 10:15:00"),
        Column("lead_source", "text", False, "Where the lead came from (线索来源)", "web_form"),
        Column("owner_id", "text", False, "Sales rep following the lead up", "REP0001"),
        Column("account_id", "text", False, "Customer account id, when known", "ACC000001"),
        Column(
            "status",
            "enum",
            True,
            "open (跟进中), converted (已转商机) or disqualified (无效)",
            "converted",
            allowed=LEAD_STATUSES,
        ),
        Column(
            "converted_opportunity_id",
            "text",
            False,
            "The opportunity the lead became; required when status is converted",
            "OPP0000001",
        ),
        Column(
            "converted_at",
            "timestamp",
            False,
            "When the lead was converted; required when status is converted",
            "2025-03-05 09:30:00",
        ),
    ),
    conditional_required=(
        ("converted_opportunity_id", ("converted",), "converted_without_opportunity"),
        ("converted_at", ("converted",), "converted_without_time"),
    ),
)

ACTIVITIES = Family(
    name="activities",
    source="crm",
    file_glob="activities*.csv",
    key=("activity_id",),
    description=(
        "Optional. One row per follow-up activity (跟进记录) on an opportunity: a visit, call, "
        "meeting, demo or proposal sent."
    ),
    columns=(
        Column("activity_id", "text", True, "Activity id in the CRM", "ACT00000001"),
        Column("opportunity_id", "text", True, "The opportunity followed up", "OPP0000001"),
        Column(
            "activity_type",
            "enum",
            True,
            "visit (拜访), call (电话), meeting (会议), demo (演示) or proposal_sent (方案已发)",
            "demo",
            allowed=ACTIVITY_TYPES,
        ),
        Column("activity_at", "timestamp", True, "When it happened", "2025-03-12 15:00:00"),
        Column("owner_id", "text", False, "Sales rep who did it", "REP0001"),
    ),
    parent=("opportunity_id", "opportunities"),
)

FAMILIES: tuple[Family, ...] = (
    ACCOUNTS,
    SALES_REPS,
    OPPORTUNITIES,
    STAGE_HISTORY,
    CONTRACTS,
    ORDERS,
    LEADS,
    ACTIVITIES,
)
FAMILIES_BY_NAME: dict[str, Family] = {f.name: f for f in FAMILIES}

LINEAGE_COLUMNS: tuple[str, ...] = ("_source_file", "_content_hash", "_row_number", "_loaded_at")
