/** `findme bench <compare|search|flood|peer|accuracy|detectors|stage>`: see bench/README.md. */
import { UsageError, intFlag, type ParsedArgs } from '../usage';

const BENCHMARKS = ['compare', 'search', 'flood', 'peer', 'accuracy', 'detectors', 'stage'] as const;

/** `--containers 1,2,4`: caps on compare_images containers to compare. */
function containersFlag(args: ParsedArgs): number[] {
  const raw = String(args.values.containers);
  const caps = raw.split(',').map((c) => Number(c.trim()));
  if (caps.length === 0 || caps.some((c) => !Number.isInteger(c) || c < 1 || c > 16)) throw new UsageError(`--containers must be whole numbers from 1 to 16, comma-separated, got "${raw}"`, 'bench');
  return caps;
}

export async function run(args: ParsedArgs): Promise<number> {
  const [name, ...rest] = args.positionals;
  if (!name || !(BENCHMARKS as readonly string[]).includes(name)) {
    throw new UsageError(name ? `unknown benchmark "${name}"; the benchmarks are ${BENCHMARKS.join(', ')}` : `name a benchmark: ${BENCHMARKS.join(', ')}`, 'bench');
  }
  if (rest.length > (name === 'accuracy' || name === 'stage' ? 1 : 0)) throw new UsageError(`unexpected argument ${rest.join(' ')}`, 'bench');
  const quick = args.values.quick === true;
  const runs = args.values.runs === undefined ? undefined : intFlag(args, 'runs', 1, 1, 100);
  switch (name) {
    case 'compare':
      await (await import('../../bench/compare')).benchCompare({ quick, ...(runs ? { runs } : {}) });
      break;
    case 'search':
      await (await import('../../bench/search')).benchSearch({ photos: intFlag(args, 'photos', 200, 6, 5000), quick, ...(args.values.containers !== undefined ? { containers: containersFlag(args) } : {}) });
      break;
    case 'flood':
      await (await import('../../bench/flood')).benchFlood({
        photos: intFlag(args, 'photos', 300, 6, 5000),
        rate: intFlag(args, 'rate', 100, 1, 1000),
        seconds: intFlag(args, 'seconds', 10, 1, 600),
        quick,
      });
      break;
    case 'peer':
      await (await import('../../bench/peer')).benchPeer({ quick, ...(args.values.photos !== undefined ? { photos: intFlag(args, 'photos', 6, 1, 6) } : {}) });
      break;
    case 'accuracy':
      await (await import('../../bench/accuracy')).benchAccuracy({ dir: rest[0], quick });
      break;
    case 'detectors':
      await (await import('../../bench/detectors')).benchDetectors({ quick });
      break;
    case 'stage':
      await (await import('../../bench/stage')).benchStage({ dir: rest[0], quick, photos: intFlag(args, 'photos', quick ? 2 : 12, 1, 500), skip: intFlag(args, 'skip', 0, 0, 500) });
      break;
  }
  return 0;
}
