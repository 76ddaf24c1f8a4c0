"""Presentation: number formats and labels (:mod:`.formats`, :mod:`.labels`), figures of a run
(:mod:`.figures`) and of the experiments (:mod:`.experiment_figures`), output folders
(:mod:`.files`) and what the notebooks use (:mod:`.notebook`).

The names below are what the command line and the experiment scripts use."""

from zonesim.present.experiment_figures import sweep_chart
from zonesim.present.figures import fan_chart
from zonesim.present.files import (convergence_summary, table_text, target_table_text,
                                   write_comparison, write_sensitivity, write_sweep)

__all__ = ["convergence_summary", "fan_chart", "sweep_chart", "table_text", "target_table_text",
           "write_comparison", "write_sensitivity", "write_sweep"]
