/**
 * Nelder–Mead minimization, hand-written: six smooth-enough parameters, a
 * loss that is a sum of absolute log errors (not differentiable everywhere,
 * so no gradient method), and a fit that must be bit-for-bit repeatable for
 * the "committed constants equal what calibrate produces" test. A library
 * would add a dependency for forty lines and could change its defaults under
 * us. Deterministic: no randomness; restarts begin at the last best point.
 */
export function nelderMead(
  f: (x: number[]) => number,
  start: number[],
  options: { step: number; iterations: number; restarts: number },
): number[] {
  let best = start;
  for (let r = 0; r <= options.restarts; r++) best = run(f, best, options.step, options.iterations);
  return best;
}

function run(f: (x: number[]) => number, start: number[], step: number, iterations: number): number[] {
  const n = start.length;
  let simplex: { x: number[]; v: number }[] = [{ x: start, v: f(start) }];
  for (let i = 0; i < n; i++) {
    const x = [...start];
    x[i]! += step;
    simplex.push({ x, v: f(x) });
  }
  const combine = (a: number[], b: number[], t: number) => a.map((ai, i) => ai + t * (b[i]! - ai));
  for (let it = 0; it < iterations; it++) {
    simplex.sort((a, b) => a.v - b.v);
    const worst = simplex[n]!;
    const centroid = new Array<number>(n).fill(0);
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) centroid[j]! += simplex[i]!.x[j]! / n;
    const reflected = combine(centroid, worst.x, -1);
    const vr = f(reflected);
    if (vr < simplex[0]!.v) {
      const expanded = combine(centroid, worst.x, -2);
      const ve = f(expanded);
      simplex[n] = ve < vr ? { x: expanded, v: ve } : { x: reflected, v: vr };
    } else if (vr < simplex[n - 1]!.v) {
      simplex[n] = { x: reflected, v: vr };
    } else {
      const contracted = vr < worst.v ? combine(centroid, reflected, 0.5) : combine(centroid, worst.x, 0.5);
      const vc = f(contracted);
      if (vc < Math.min(vr, worst.v)) {
        simplex[n] = { x: contracted, v: vc };
      } else {
        const bestX = simplex[0]!.x;
        simplex = simplex.map((s, i) =>
          i === 0 ? s : { x: combine(bestX, s.x, 0.5), v: f(combine(bestX, s.x, 0.5)) },
        );
      }
    }
    if (Math.abs(simplex[n]!.v - simplex[0]!.v) < 1e-12 && it > 50) break;
  }
  simplex.sort((a, b) => a.v - b.v);
  return simplex[0]!.x;
}
