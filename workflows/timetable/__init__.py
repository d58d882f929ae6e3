"""The plan timetable: planned milestones with target dates (priorities agreed, consultation
rounds, each board's meeting, the executive's meeting, publication), proposed from a template
per plan kind and the bodies' meeting diaries, compared with what the record says happened,
and the slippage flagged.

- ``models``: ``Milestone``;
- ``templates``: the template per plan kind and ``propose`` (seeding from the diaries);
- ``record``: the actual dates from the dated record, each milestone's status, the flags, and
  the forward plan's clear-days count (2012 regulations, reg. 9);
- ``services``: ``timetable_seed`` and ``timetable_save``;
- ``chart``: the month-by-month timeline's geometry for the SVG;
- ``forms``, ``views``, ``api``: the pages and ``GET, PUT /api/v1/plans/{id}/timetable/``.
"""
