"""Demo services of the Jiaxing stations (DOMAIN.md section 4): beneficiaries, the "123X" projects of this year and
the last, the service log of the 12 months up to today, cases and community focus problems, for every operating
station.

The picture is honest. 马桥街道 (the demo accounts' station) has a valid portfolio and visits every key target every
month, the current month being under way. 长安镇 has no governance brand and no project for children this year;
澉浦镇, run by two people, has neither brand project, and visits its key targets clearly below the goal. A few
stations' governance projects land in fewer communities than the township target asks.

Deterministic and idempotent, in the discipline of ``staffing.demo``. Each operating station takes exactly four
numbers from ``rng`` and seeds its own generators: one for who its beneficiaries are (names, ID numbers: the natural
keys, communities, target groups), one for its projects (names, catalogue items, communities, stages, targets), one
for its service log, one for its cases and focus problems. Every value is drawn whether or not its row exists.
Beneficiaries are keyed on (station, ID number) and projects on (station, year, name), and saved only when something
changed; a beneficiary's registration date, counted back from ``today``, is written when the row is created. The
log, the cases and the focus problems follow ``today``, so like the volunteers' hours they are written once, for a
station that has none yet; a project's stage only ever moves forward, through ``project_stage_advance``.

Speed (measured): ``service_record_create`` costs about 3 ms a record on SQLite and more on PostgreSQL, half a
minute or more for the ~9,000 records here, on top of the rest of the demo. So a record without volunteers is
written in bulk (the rows, then their beneficiary and staff through rows) once the model's own checks
(``clean_fields`` and ``clean``: no future date, a known kind, 1..1440 minutes, a project of the same station and
year) and the rule's (people of the station, someone served) have passed in memory; a demo that breaks one stops
with the error. A record with volunteers goes through ``service_record_create``, so every ``ServiceVolunteer`` has
its ``VolunteerHours`` row under the 24-hour rule; a refusal there drops the volunteers and logs the service without
them. Cases go through the case rules, focus problems through ``focus_problem_advance``.
"""

from .city import seed, summary
from .common import DemoServices
from .log import month_starts

__all__ = ["DemoServices", "month_starts", "seed", "summary"]
