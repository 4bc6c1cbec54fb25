"""Win-probability scoring between the two dbt builds: train when due, then score.

`scoring/win_probability_model` retrains when the sales-ops retraining period (definitions/
scoring.yml) has turned, or declines; `scoring/opportunity_scores` (the dbt source `scoring`)
writes the scores to the build database, after which `dbt_scored_models` builds the models that
read them. The `win_probability_retraining` schedule retrains at the start of each period.
"""

import dagster as dg
from dagster_dbt import get_asset_key_for_model, get_asset_key_for_source

from ingestion import duckdb_settings
from ingestion.contract import FAMILIES_BY_NAME
from ingestion.paths import build_db_path, warehouse_dir
from orchestration.defs.ingest import WRITER_POOL
from orchestration.defs.transform import dbt_models, dbt_scored_models
from orchestration.lib.settings import as_of_date, timezone_name
from orchestration.scoring.run import score_all, train_if_due
from orchestration.scoring.settings import ScoringConfigError, ScoringSettings, load_settings

# the dbt models the features read (orchestration/scoring/features.py)
FEATURE_MODELS = (
    "dim_opportunities",
    "fct_stage_transitions",
    "dim_stages",
    "stg_crm__opportunity_versions",
)
MODEL_KEY = dg.AssetKey(["scoring", "win_probability_model"])


def _feature_deps() -> list[dg.AssetKey]:
    keys = [get_asset_key_for_model([dbt_models], name) for name in FEATURE_MODELS]
    return [*keys, dg.AssetKey(list(FAMILIES_BY_NAME["activities"].asset_key))]


class TrainingConfig(dg.Config):
    force: bool = False  # retrain even when the model in service is current


@dg.asset(
    key=MODEL_KEY,
    group_name="scoring",
    deps=_feature_deps(),
    pool=WRITER_POOL,
    kinds={"scikitlearn"},
    description="The win-probability model in service, a versioned artifact under "
    "<warehouse>/models/win_probability/: retrained when due (definitions/scoring.yml), "
    "or declined when too few deals have closed.",
)
def win_probability_model(
    context: dg.AssetExecutionContext, config: TrainingConfig
) -> dg.MaterializeResult:
    settings = load_settings()
    with duckdb_settings.connect(build_db_path(), read_only=True) as con:
        result = train_if_due(
            con, warehouse_dir(), as_of_date(), settings, force=config.force, log=context.log.info
        )
    if result.action == "declined":
        context.log.warning(f"win-probability model declined: {result.reason}")
    return dg.MaterializeResult(
        metadata={
            "action": result.action,
            "model_version": result.version or "none",
            "reason": result.reason,
            "closed_deals": result.closed_deals,
        }
    )


@dg.asset(
    key=get_asset_key_for_source([dbt_scored_models], "scoring"),
    group_name="scoring",
    deps=[MODEL_KEY, *_feature_deps()],
    pool=WRITER_POOL,
    kinds={"duckdb"},
    description="scoring.opportunity_scores: P(won) of every open opportunity at the as-of date "
    "(and backfilled month ends) with its top factors in Chinese and English and the model "
    "version; scoring.model_status says whether the model scored or declined.",
)
def opportunity_scores(context: dg.AssetExecutionContext) -> dg.MaterializeResult:
    settings = load_settings()
    with duckdb_settings.connect(build_db_path()) as con:
        status = score_all(con, warehouse_dir(), as_of_date(), settings, log=context.log.info)
        rows = con.execute("select count(*) from scoring.opportunity_scores").fetchall()
    return dg.MaterializeResult(
        metadata={
            "status": status.status,
            "model_version": status.model_version or "none",
            "reason": status.reason,
            "score_rows": int(rows[0][0]) if rows else 0,
        }
    )


def _retrain_cron() -> str:
    try:
        return load_settings().retrain_cron
    except ScoringConfigError:  # the run itself reports the bad setting
        return ScoringSettings().retrain_cron


retrain_job = dg.define_asset_job(
    name="win_probability_retraining",
    selection=dg.AssetSelection.assets(MODEL_KEY),
    executor_def=dg.in_process_executor,
    description="Retrain the win-probability model now (whether or not it is due).",
    config={"ops": {"scoring__win_probability_model": {"config": {"force": True}}}},
)

retrain_schedule = dg.ScheduleDefinition(
    name="win_probability_retraining",
    job=retrain_job,
    cron_schedule=_retrain_cron(),
    execution_timezone=timezone_name(),
    default_status=dg.DefaultScheduleStatus.RUNNING,
    description="Retrain at the start of every retraining period (definitions/scoring.yml).",
)
