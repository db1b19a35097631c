"""优质均衡 resource indicators: standards, reading a schools table, evaluation, a scenario's effect.

Modules, each importing only those before it:

* :mod:`geo.indicators.standards` — the seven indicators, :class:`~geo.indicators.standards.Standards`,
  their sources and the errors (``IndicatorError``, ``IndicatorFileError``);
* :mod:`geo.indicators.table` — reading and checking a schools table (CSV or XLSX, Chinese headers);
* :mod:`geo.indicators.evaluate` — per-school indicators, 差异系数, urban–rural comparison;
* :mod:`geo.indicators.effects` — ``apply_scenario``: the table after a consolidation scenario.

Import names from their module (``from geo.indicators.evaluate import evaluate``):
the package re-exports nothing, so ``geo.indicators.evaluate`` is always the module.
"""
