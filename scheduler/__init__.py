"""The scheduler: the union's automation (DESIGN §6) — follow the chain, plan and propose each closed epoch's
dividends, verify every open distribution proposal, queue and execute what passed, and reconcile the books.

Layering: ``union ← treasury, voting ← indexer ← scheduler``; only ``scripts`` imports this package. Entry points
build :class:`UnionJobs` with their connections and keys and run it with :class:`SchedulerService`.
"""

from scheduler.alarms import ALARMS, REPORT_KINDS, Alarm, AlarmBoard, AlarmKind
from scheduler.jobs import JOB_ORDER, LIVE_STATES, DistributionProposal, JobReport, UnionJobs, describe_plan, plan_url
from scheduler.locking import SCHEDULER_LOCK_KEY, SchedulerLock
from scheduler.planning import last_closed_epoch
from scheduler.service import SchedulerService, run_job
from scheduler.settings import SchedulerSettings, get_scheduler_settings, proposer_account

__all__ = [
    "ALARMS",
    "JOB_ORDER",
    "LIVE_STATES",
    "REPORT_KINDS",
    "SCHEDULER_LOCK_KEY",
    "Alarm",
    "AlarmBoard",
    "AlarmKind",
    "DistributionProposal",
    "JobReport",
    "SchedulerLock",
    "SchedulerService",
    "SchedulerSettings",
    "UnionJobs",
    "describe_plan",
    "get_scheduler_settings",
    "last_closed_epoch",
    "plan_url",
    "proposer_account",
    "run_job",
]
