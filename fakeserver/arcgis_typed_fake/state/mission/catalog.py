"""Missions, their reports and the jobs that create them - the Mission Server's REST side.

A mission lives in the portal too, as the real server builds it: a group for the mission's members (owned by
the creator), a Mission item, a web map and one feature service per capability, all shared with the group. A
report adds a feature service item whose layer's fields come from the report's questions. Deleting a mission
removes all of them. Who may see a mission: its owner, the members of its group, and administrators.

`createMission` with async=true answers a job; the mission and its portal content exist from the start (every
rule is checked synchronously), while the job walks through its steps on the server's clock (STEP_MS each)
and reports COMPLETED with the mission's id once they are done.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable
from typing import Any

import attrs

from ...errors import Fault, bad_request, forbidden
from ..portal import PortalState
from ..users import UserRecord

CAPABILITIES = ("CHAT", "TASK", "REPORT", "PRESENCE", "TRACK", "EVENTS")
QUESTION_TYPES = {
    "single line text": "Single Line Text", "multiline text": "Multiline Text", "number": "Number",
    "single choice": "Single Choice", "dropdown": "Dropdown", "multiple choice": "Multiple Choice",
    "date/time": "Date/Time", "image": "Image",
}
CHOICE_TYPES = {"Single Choice", "Dropdown", "Multiple Choice"}
FIELD_TYPES = {"Single Line Text": "esriFieldTypeString", "Multiline Text": "esriFieldTypeString",
               "Number": "esriFieldTypeDouble", "Single Choice": "esriFieldTypeString",
               "Dropdown": "esriFieldTypeString", "Multiple Choice": "esriFieldTypeString",
               "Date/Time": "esriFieldTypeDate"}
SERVICE_NAME_FORBIDDEN = set("#$%^*=`{}[],:?\"<>|\\/+") | {" "}
MAX_SERVICE_NAME = 87
LOCALE = re.compile(r"^[A-Za-z]{2,3}(-[A-Za-z]{4})?(-(?:[A-Za-z]{2}|\d{3}))?(-[A-Za-z0-9]{5,8})*$")
FIELD_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,63}$")
STEP_MS = 250
JOB_STEPS = (
    "Started mission creation.",
    "Creating tracks layers for location awareness.",
    "Creating communications layers for collaboration.",
    "Creating events layers for mission logs.",
    "Created tracks layers for location awareness.",
    "Created communications layers for collaboration.",
    "Created events layers for mission logs.",
    "Creating map for visualization.",
    "Created map for visualization.",
    "Finishing mission creation.",
)
JOB_TYPE = "createNewMissionService"
ADMIN_VIEW = "portal:admin:viewItems"


@attrs.define(eq=False)
class ReportRecord:
    id: str
    title: str
    service_name: str
    item_id: str
    service_url: str
    source: str
    description: str
    tags: list[str]
    display_field: str
    drawing_info: Any
    locale: str
    share_as_template: bool
    questions: list[dict[str, Any]]
    created: int


@attrs.define(eq=False)
class MissionRecord:
    id: str
    title: str
    owner: str
    created: int
    modified: int
    group_id: str
    item_id: str
    webmap_id: str
    layer_ids: list[str]
    capabilities: list[str]
    extent: tuple[float, float, float, float]
    snippet: str = ""
    description: str = ""
    license_info: str = ""
    tags: list[str] = attrs.Factory(list)
    locale: str = "en"
    app_id: str = ""
    reports: list[ReportRecord] = attrs.Factory(list)

    def item_ids(self) -> list[str]:
        return [self.item_id, self.webmap_id, *self.layer_ids, *(r.item_id for r in self.reports)]


@attrs.define(eq=False)
class JobRecord:
    id: str
    username: str
    mission_id: str
    start: int
    type: str = JOB_TYPE

    def progress(self, now: int) -> tuple[str, int, list[str], int | None]:
        """(status, steps completed, messages, end time) at `now`."""
        done = max(0, min(len(JOB_STEPS), (now - self.start) // STEP_MS + 1))
        messages = list(JOB_STEPS[:done])
        if done < len(JOB_STEPS):
            return "EXECUTING", done, messages, None
        messages.append(f"Finished creating mission {self.mission_id}.")
        return "COMPLETED", done, messages, self.start + (len(JOB_STEPS) - 1) * STEP_MS


def _csv(value: str | None) -> list[str]:
    return [v.strip() for v in (value or "").split(",") if v.strip()]


def parse_capabilities(value: str | None) -> list[str]:
    given = [c.upper() for c in _csv(value)]
    for cap in given:
        if cap not in CAPABILITIES:
            raise bad_request(f"Invalid parameter 'capabilities': '{cap}' is not one of {', '.join(CAPABILITIES)}")
    return [c for c in CAPABILITIES if c in given] if given else list(CAPABILITIES)


def parse_extent(value: str | None) -> tuple[float, float, float, float]:
    if value is None or not value.strip():
        return (-180.0, -90.0, 180.0, 90.0)
    parts = value.split(",")
    try:
        numbers = [float(p) for p in parts]
    except ValueError:
        numbers = []
    if len(numbers) != 4 or not all(math.isfinite(n) for n in numbers):
        raise bad_request(f"Invalid parameter 'extent': '{value}' is not <xmin>,<ymin>,<xmax>,<ymax>")
    xmin, ymin, xmax, ymax = numbers
    if not (-180 <= xmin < xmax <= 180 and -90 <= ymin < ymax <= 90):
        raise bad_request(f"Invalid parameter 'extent': '{value}' is not a WGS84 rectangle (longitudes -180 to 180, "
                          "latitudes -90 to 90, minimum below maximum)")
    return (xmin, ymin, xmax, ymax)


def check_locale(value: str | None, param: str = "locale") -> str:
    if value is None or value == "":
        return "en"
    if not LOCALE.fullmatch(value):
        raise bad_request(f"Invalid parameter '{param}': '{value}' is not an IETF BCP 47 language tag")
    return value


def check_service_name(name: str) -> str:
    if len(name) > MAX_SERVICE_NAME:
        raise bad_request(f"Invalid parameter 'serviceName': longer than {MAX_SERVICE_NAME} characters")
    bad = sorted({c for c in name if c in SERVICE_NAME_FORBIDDEN})
    if bad or not name:
        shown = " ".join("space" if c == " " else c for c in bad)
        raise bad_request(f"Invalid parameter 'serviceName': '{name}' contains characters that are not allowed ({shown})")
    return name


def parse_questions(value: object) -> list[dict[str, Any]]:
    """A non-empty JSON array of questions of the documented types, each with a unique field name."""
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            raise bad_request("Invalid parameter 'questions': not a JSON array") from None
    if not isinstance(value, list) or not value:
        raise bad_request("Invalid parameter 'questions': must be a non-empty JSON array of questions")
    out: list[dict[str, Any]] = []
    names: set[str] = set()
    for i, raw in enumerate(value):
        where = f"Invalid parameter 'questions': question {i + 1}"
        if not isinstance(raw, dict):
            raise bad_request(f"{where} is not a JSON object")
        kind = QUESTION_TYPES.get(str(raw.get("type", "")).strip().lower())
        if kind is None:
            raise bad_request(f"{where} has type '{raw.get('type')}', not one of {', '.join(QUESTION_TYPES.values())}")
        label = raw.get("label")
        if not isinstance(label, str) or not label.strip():
            raise bad_request(f"{where} needs a label")
        field = raw.get("fieldName")
        if field is None:
            field = re.sub(r"\W+", "_", label.strip()).strip("_").lower()[:64] or f"field_{i + 1}"
            if field[0].isdigit():
                field = f"f_{field}"[:64]
        if not isinstance(field, str) or not FIELD_NAME.fullmatch(field):
            raise bad_request(f"{where} has fieldName '{field}', not a valid field name")
        if field.lower() in names:
            raise bad_request(f"{where} repeats the field name '{field}'")
        names.add(field.lower())
        choices = raw.get("choices")
        if kind in CHOICE_TYPES and (not isinstance(choices, list) or not choices or not all(
                isinstance(c, str) and c.strip() or isinstance(c, dict) and c.get("label") for c in choices)):
            raise bad_request(f"{where} ({kind}) needs a non-empty list of choices")
        out.append({**raw, "type": kind, "label": label.strip(), "fieldName": field})
    return out


class MissionCatalog:
    """The missions, reports and jobs of one Mission Server."""

    def __init__(self, portal: PortalState, now: Callable[[], int], new_id: Callable[[], str]) -> None:
        self.portal = portal
        self.now = now
        self.new_id = new_id
        self.missions: dict[str, MissionRecord] = {}
        self.jobs: dict[str, JobRecord] = {}

    # --- reading ---------------------------------------------------------------------------------------------

    def can_view(self, caller: UserRecord, mission: MissionRecord) -> bool:
        if mission.owner.lower() == caller.username.lower() or caller.has(ADMIN_VIEW):
            return True
        return mission.group_id in self.portal.groups.groups_of(caller.username)

    def visible(self, caller: UserRecord) -> list[MissionRecord]:
        return [m for m in self.missions.values() if self.can_view(caller, m)]

    def get(self, caller: UserRecord, mission_id: str) -> MissionRecord:
        mission = self.missions.get(mission_id.lower())
        if mission is None or not self.can_view(caller, mission):
            raise Fault(404, f"Mission '{mission_id}' does not exist or is inaccessible.")
        return mission

    def _managed(self, caller: UserRecord, mission_id: str, admin_privilege: str) -> MissionRecord:
        mission = self.get(caller, mission_id)
        if mission.owner.lower() != caller.username.lower() and not caller.has(admin_privilege):
            raise forbidden(f"Only the owner of mission '{mission.title}' or an administrator may do this.")
        return mission

    def job(self, caller: UserRecord, job_id: str) -> JobRecord:
        job = self.jobs.get(job_id)
        if job is None or (job.username.lower() != caller.username.lower() and not caller.has(ADMIN_VIEW)):
            raise Fault(404, f"Job '{job_id}' does not exist or is inaccessible.")
        return job

    def jobs_of(self, caller: UserRecord) -> list[JobRecord]:
        admin = caller.has(ADMIN_VIEW)
        return [j for j in self.jobs.values() if admin or j.username.lower() == caller.username.lower()]

    # --- writing ---------------------------------------------------------------------------------------------

    def create(self, caller: UserRecord, *, title: str, rest_url: str, snippet: str | None = None,
               description: str | None = None, license_info: str | None = None, capabilities: str | None = None,
               app_id: str | None = None, tags: str | None = None, extent: str | None = None,
               template_webmap_id: str | None = None, base_map: object = None, webmap_description: str | None = None,
               locale: str | None = None) -> MissionRecord:
        """Check every parameter, then build the mission and its portal content (all or nothing)."""
        if not title.strip():
            raise bad_request("Invalid parameter 'title': must not be empty")
        caps = parse_capabilities(capabilities)
        box = parse_extent(extent)
        tag_list = _csv(tags) or ["mission"]
        locale = check_locale(locale)
        template: dict[str, Any] = {}
        if template_webmap_id:
            item = self.portal.items.get(template_webmap_id)
            if item is None or not self.portal.items.can_view(caller, item) or item.type != "Web Map":
                raise bad_request(f"Invalid parameter 'templateWebMapId': '{template_webmap_id}' is not a web map "
                                  "you can see")
            template = _json_object(item.data)
        if base_map not in (None, "") and not (isinstance(base_map, dict) and isinstance(base_map.get("baseMapLayers"), list)):
            raise bad_request("Invalid parameter 'baseMap': must be a JSON object with a baseMapLayers array")
        if any(m.title.lower() == title.strip().lower() and m.owner == caller.username for m in self.missions.values()):
            raise Fault(409, f"You already have a mission named '{title.strip()}'.")
        mission_id = self.new_id()
        url = f"{rest_url}/services/{mission_id}/MissionServer"
        created: list[str] = []
        group_id = ""
        try:
            group = self.portal.groups.create(caller, title=title.strip(), tags=tag_list, access="private",
                                              snippet=snippet or "", description=description or "")
            group_id = group.id
            common: dict[str, Any] = {"tags": tag_list, "snippet": snippet or "", "culture": locale}
            mission_item = self.portal.add_item(
                caller, caller.username, title=title.strip(), type="Mission", url=url, description=description or "",
                license_info=license_info or "", type_keywords=["Mission", f"missionId:{mission_id}"], **common)
            created.append(mission_item.id)
            layers = []
            for cap in caps:
                layer = self.portal.add_item(
                    caller, caller.username, title=f"{title.strip()} {cap.title()}", type="Feature Service",
                    url=f"{url}/{cap.lower()}/FeatureServer",
                    type_keywords=["Mission", "Hosted Service", f"missionId:{mission_id}", f"capability:{cap}"], **common)
                created.append(layer.id)
                layers.append(layer)
            webmap = {
                "operationalLayers": [{"id": layer.id, "title": layer.title, "url": f"{layer.url}/0", "itemId": layer.id}
                                      for layer in layers],
                "baseMap": base_map if isinstance(base_map, dict) else template.get("baseMap", {
                    "baseMapLayers": [], "title": "Basemap"}),
                "spatialReference": {"wkid": 4326},
                "version": "2.31",
            }
            map_item = self.portal.add_item(
                caller, caller.username, title=title.strip(), type="Web Map", text=json.dumps(webmap),
                description=webmap_description or "", extent=",".join(str(v) for v in box),
                type_keywords=["Mission", "Web Map", f"missionId:{mission_id}"], **common)
            created.append(map_item.id)
            for item_id in created:
                item = self.portal.items.get(item_id)
                if item is not None:
                    self.portal.share_item(caller, item, everyone=None, org=None, groups=[group_id])
        except Exception:
            self._remove_content(created, group_id)
            raise
        now = self.now()
        mission = MissionRecord(
            id=mission_id, title=title.strip(), owner=caller.username, created=now, modified=now, group_id=group_id,
            item_id=created[0], webmap_id=created[-1], layer_ids=created[1:-1], capabilities=caps, extent=box,
            snippet=snippet or "", description=description or "", license_info=license_info or "", tags=tag_list,
            locale=locale, app_id=app_id or "")
        self.missions[mission_id] = mission
        return mission

    def start_job(self, caller: UserRecord, mission: MissionRecord) -> JobRecord:
        job = JobRecord(id=f"j{self.new_id()}", username=caller.username, mission_id=mission.id, start=self.now())
        self.jobs[job.id] = job
        return job

    def add_report(self, caller: UserRecord, mission_id: str, *, rest_url: str, title: str, service_name: str,
                   questions: object, source: str | None = None, description: str | None = None,
                   tags: str | None = None, display_field: str | None = None, drawing_info: object = None,
                   locale: str | None = None, share_as_template: bool | None = None) -> ReportRecord:
        mission = self._managed(caller, mission_id, "portal:admin:updateItems")
        if not title.strip():
            raise bad_request("Invalid parameter 'title': must not be empty")
        check_service_name(service_name)
        parsed = parse_questions(questions)
        fields = [q["fieldName"] for q in parsed if q["type"] in FIELD_TYPES]
        if display_field and display_field not in fields:
            raise bad_request(f"Invalid parameter 'displayField': '{display_field}' is not the field of a question "
                              f"({', '.join(fields) or 'no question has a field'})")
        if drawing_info not in (None, "") and not isinstance(drawing_info, dict):
            raise bad_request("Invalid parameter 'drawingInfo': must be a JSON object")
        locale = check_locale(locale)
        taken = {r.service_name.lower() for m in self.missions.values() for r in m.reports}
        if service_name.lower() in taken:
            raise bad_request(f"Invalid parameter 'serviceName': a service named '{service_name}' already exists")
        report_id = self.new_id()
        url = f"{rest_url}/services/{mission.id}/MissionServer/reports/{service_name}/FeatureServer"
        layer = {
            "id": 0, "name": service_name, "type": "Feature Layer", "geometryType": "esriGeometryPoint",
            "displayField": display_field or (fields[0] if fields else ""),
            "hasAttachments": any(q["type"] == "Image" for q in parsed),
            "fields": [{"name": "objectid", "type": "esriFieldTypeOID", "alias": "ObjectID"}] + [
                {"name": q["fieldName"], "type": FIELD_TYPES[q["type"]], "alias": q["label"]}
                for q in parsed if q["type"] in FIELD_TYPES],
            "drawingInfo": drawing_info if isinstance(drawing_info, dict) else {},
        }
        keywords = ["Mission", "Mission Report", "Hosted Service", f"missionId:{mission.id}"]
        if share_as_template:
            keywords.append("Mission Report Template")
        tag_list = _csv(tags) or ["report"]
        item = self.portal.add_item(
            caller, caller.username, title=title.strip(), type="Feature Service", url=url,
            description=description or "", tags=tag_list, culture=locale, type_keywords=keywords)
        self.portal.update_item(caller, caller.username, item.id, text=json.dumps({"layers": [layer]}))
        self.portal.share_item(caller, item, everyone=None, org=None, groups=[mission.group_id])
        report = ReportRecord(
            id=report_id, title=title.strip(), service_name=service_name, item_id=item.id, service_url=url,
            source=source or "user", description=description or "", tags=tag_list,
            display_field=str(layer["displayField"]), drawing_info=layer["drawingInfo"], locale=locale,
            share_as_template=bool(share_as_template), questions=parsed, created=self.now())
        mission.reports.append(report)
        mission.modified = self.now()
        return report

    def delete(self, caller: UserRecord, mission_id: str) -> MissionRecord:
        mission = self._managed(caller, mission_id, "portal:admin:deleteItems")
        group = self.portal.groups.get(mission.group_id)
        if group is not None and group.protected:
            raise bad_request(f"Unable to delete mission '{mission.title}': its group is delete-protected.")
        for item_id in mission.item_ids():
            item = self.portal.items.get(item_id)
            if item is not None and item.protected:
                raise bad_request(f"Unable to delete mission '{mission.title}': item '{item.title}' is delete-protected.")
        self._remove_content(mission.item_ids(), mission.group_id)
        del self.missions[mission.id]
        return mission

    def _remove_content(self, item_ids: list[str], group_id: str) -> None:
        for item_id in item_ids:
            item = self.portal.items.get(item_id)
            if item is not None:
                self.portal.items.remove(item)
        group = self.portal.groups.get(group_id) if group_id else None
        if group is not None:
            self.portal.groups.delete(self.portal.users.require(group.owner), group.id)

    # --- persistence (site backups) --------------------------------------------------------------------------

    def to_json(self) -> list[dict[str, Any]]:
        return [{**attrs.asdict(m, recurse=True), "extent": list(m.extent)} for m in self.missions.values()]

    @staticmethod
    def missions_from_json(records: object) -> dict[str, MissionRecord]:
        if not isinstance(records, list):
            raise TypeError("missions: expected a list")
        out = {}
        for raw in records:
            reports = [ReportRecord(**r) for r in raw.pop("reports", [])]
            raw["extent"] = tuple(float(v) for v in raw["extent"])
            mission = MissionRecord(**raw, reports=reports)
            out[mission.id] = mission
        return out


def _json_object(data: bytes | None) -> dict[str, Any]:
    try:
        parsed = json.loads(data or b"{}")
    except ValueError:
        return {}
    return parsed if isinstance(parsed, dict) else {}
