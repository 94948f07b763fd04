import { Resvg } from "@resvg/resvg-js";
import type { TopLevelSpec } from "vega-lite" with { "resolution-mode": "import" };

/**
 * Renders a vega-lite spec to SVG with vega's headless view (no canvas, no
 * browser), and SVG to PNG with resvg and the system fonts. vega and
 * vega-lite ship as ES modules only, hence the dynamic imports from this
 * CommonJS project.
 */
export async function renderChartSvg(spec: TopLevelSpec): Promise<string> {
  const [vegaLite, vega] = await Promise.all([import("vega-lite"), import("vega")]);
  const view = new vega.View(vega.parse(vegaLite.compile(spec).spec), { renderer: "none" });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

/** Pixel density of PNGs: 2x reads sharply in a PR comment. */
export const PNG_SCALE = 2;

/** Rasterizes an SVG to PNG bytes. */
export function svgToPng(svg: string, scale = PNG_SCALE): Buffer {
  const resvg = new Resvg(svg, {
    fitTo: { mode: "zoom", value: scale },
    background: "white",
    font: { loadSystemFonts: true, defaultFontFamily: "DejaVu Sans", sansSerifFamily: "DejaVu Sans" },
  });
  return resvg.render().asPng();
}
