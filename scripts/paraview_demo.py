"""A ParaView pipeline for a two-current run directory (run it with ParaView's pvpython):

    pvpython scripts/paraview_demo.py RUN [OUT.png] [STATE]

Opens RUN/fields/<STATE>/potentials.bp (default: the first state in results.json) with the
ADIOS2 VTX reader, clips the device through its axis and colours the cut by V, and saves
a screenshot; a second view plots V and mu_s along the z axis (x = y = 0). Not part of
the test suite (it needs ParaView); the same picture without ParaView: spinfem render RUN.
"""

import json
import sys
from pathlib import Path

from paraview import simple as pv

run = Path(sys.argv[1])
out = Path(sys.argv[2]) if len(sys.argv) > 2 else run / "plots" / "paraview.png"
states = list(json.loads((run / "results.json").read_text()).get("states", {}))
state = sys.argv[3] if len(sys.argv) > 3 else (states[0] if states else "steady")
out.parent.mkdir(parents=True, exist_ok=True)

reader = pv.ADIOS2VTXReader(FileName=str(run / "fields" / state / "potentials.bp"))
reader.UpdatePipeline()
xmin, xmax, ymin, ymax, zmin, zmax = reader.GetDataInformation().GetBounds()

clip = pv.Clip(Input=reader)
clip.ClipType = "Plane"
clip.ClipType.Origin = [0.5 * (xmin + xmax), 0.5 * (ymin + ymax), 0.5 * (zmin + zmax)]
clip.ClipType.Normal = [0.0, 1.0, 0.0]

view = pv.GetActiveViewOrCreate("RenderView")
display = pv.Show(clip, view)
pv.ColorBy(display, ("POINTS", "V_volt"))
display.RescaleTransferFunctionToDataRange(True, False)
display.SetScalarBarVisibility(view, True)
view.CameraPosition = [xmax * 4, -ymax * 6, 0.5 * (zmin + zmax)]
view.CameraFocalPoint = [0.0, 0.0, 0.5 * (zmin + zmax)]
view.CameraViewUp = [0.0, 0.0, 1.0]
pv.ResetCamera(view)
pv.SaveScreenshot(str(out), view, ImageResolution=[1000, 800])

line = pv.PlotOverLine(Input=reader)
line.Point1 = [0.0, 0.0, zmin]
line.Point2 = [0.0, 0.0, zmax]
chart = pv.CreateView("XYChartView")
pv.Show(line, chart)
pv.SaveScreenshot(str(out.with_name(out.stem + "_axis.png")), chart, ImageResolution=[1000, 600])
print(f"wrote {out} and {out.with_name(out.stem + '_axis.png')}")
