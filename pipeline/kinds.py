"""The run kinds of the campaign (brief, section 3), declared: what each one covers, where
it writes and which families it migrates. Jobs, preconditions and the CLI read this table.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from pipeline.families import FAMILIES
from pipeline.settings import ConfigurationError, Environment

Scope = Literal["NATION", "REGION", "ML"]

ALL_FAMILIES = tuple(f.key for f in FAMILIES)
LOCAL_DATA = ALL_FAMILIES[2:]  # structures onwards: what TAB3, MAB, MIG and RATTRAPAGE take
DOSSIER_FAMILIES = ("dossiers", "instances", "propositions", "demat")  # split by MIG's stages


@dataclass(frozen=True)
class RunKind:
    name: str
    scope: Scope
    environment: Environment
    description: str
    families: tuple[str, ...] = ()
    staged: bool = False  # active dossiers and their décisionnel, then the archived ones
    freeze_control: bool = False  # references only compared with what MIG_REF froze
    controls: bool = False  # indicators P3 vs i-milo and the GO / NO GO verdict
    delta: bool = False  # only what production lacks (RATTRAPAGE)

    @property
    def blank(self) -> bool:
        return self.environment is Environment.VALIDATION

    @property
    def job_name(self) -> str:
        return self.name.lower()

    @property
    def decisionnel(self) -> bool:
        return "dossiers" in self.families

    @property
    def freezes(self) -> bool:
        """MIG_REF takes the references and freezes them: it is not compared with a freeze."""
        return self.name == "MIG_REF"


_V, _P = Environment.VALIDATION, Environment.PRODUCTION

RUN_KINDS: dict[str, RunKind] = {
    k.name: k
    for k in (
        RunKind(
            "TAB_NATIONAL",
            "NATION",
            _V,
            "Blank run of the national data: structure skeleton, national referential, "
            "P3 → i-milo code mappings.",
        ),
        RunKind("MIG_NATIONAL", "NATION", _P, "The national data into production, once."),
        RunKind(
            "TAB_REGIONAL",
            "REGION",
            _V,
            "Blank run of a region's shared data: regional references and dispositifs.",
        ),
        RunKind(
            "MIG_REGIONAL",
            "REGION",
            _P,
            "A region's shared data into production, once; locks the region until its last "
            "ML is migrated.",
        ),
        RunKind(
            "TAB1",
            "ML",
            _V,
            "Blank run of an ML's structures, local reference tables and users.",
            ALL_FAMILIES[:3],
        ),
        RunKind(
            "MIG_REF",
            "ML",
            _P,
            "The ML's local reference tables and users into production; freezes the references.",
            ALL_FAMILIES[:2],
        ),
        RunKind(
            "TAB2",
            "ML",
            _V,
            "Blank run of all the ML's data, archived dossiers and décisionnel included.",
            ALL_FAMILIES,
            controls=True,
        ),
        RunKind(
            "TAB3",
            "ML",
            _V,
            "Blank run of the ML's local data again, users and references from production; "
            "ends with the GO / NO GO verdict.",
            LOCAL_DATA,
            freeze_control=True,
            controls=True,
        ),
        RunKind(
            "MAB",
            "ML",
            _P,
            "Rehearsal of the cutover (waves 1 and 2) into production; kept only with --keep.",
            LOCAL_DATA,
            staged=True,
            freeze_control=True,
            controls=True,
        ),
        RunKind(
            "MIG",
            "ML",
            _P,
            "The cutover: active dossiers, their décisionnel, archived dossiers, theirs.",
            LOCAL_DATA,
            staged=True,
            freeze_control=True,
            controls=True,
        ),
        RunKind(
            "RATTRAPAGE",
            "ML",
            _P,
            "After MIG: what P3 has and production lacks, never a duplicate.",
            LOCAL_DATA,
            freeze_control=True,
            controls=True,
            delta=True,
        ),
    )
}


def run_kind(name: str) -> RunKind:
    """A run kind by its name, or a refusal that lists the known ones."""
    try:
        return RUN_KINDS[name.upper()]
    except KeyError:
        raise ConfigurationError(
            f"unknown run kind {name!r}; known: {', '.join(RUN_KINDS)}"
        ) from None


ARCHIVE_SUFFIX = "_archives"


def asset_plan(kind: RunKind) -> tuple[str, ...]:
    """The Dagster assets a run of this kind materializes, in order."""
    if kind.scope == "NATION":
        return ("referentiel_national",)
    if kind.scope == "REGION":
        return ("referentiel_regional",)
    steps = ["controle_gel"] if kind.freeze_control else []
    steps += kind.families
    if kind.decisionnel:
        steps.append("decisionnel")
    if kind.staged:
        steps += [f + ARCHIVE_SUFFIX for f in DOSSIER_FAMILIES] + ["decisionnel" + ARCHIVE_SUFFIX]
    return (*steps, "rapport")


def stage_of(kind: RunKind, asset: str) -> str:
    """Which dossiers an asset of this kind takes: all (""), ACTIF or ARCHIVE; GEL: control."""
    if asset == "controle_gel":
        return "GEL"
    if asset.endswith(ARCHIVE_SUFFIX):
        return "ARCHIVE"
    if kind.staged and asset in (*DOSSIER_FAMILIES, "decisionnel"):
        return "ACTIF"
    return ""
