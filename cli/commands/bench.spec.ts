import type { CommandSpec } from '../usage';

export const spec: CommandSpec = {
  name: 'bench',
  summary: 'Measure speed and accuracy: compare, search, peer, accuracy, detectors, stage',
  usage: [
    'findme bench compare [--quick] [--runs <n>]',
    'findme bench search [--photos <n>] [--containers <n,n…>]',
    'findme bench peer [--photos <n>]',
    'findme bench accuracy [<dir>]',
    'findme bench detectors [--quick]',
    'findme bench stage [<dir>] [--photos <n>] [--quick]',
  ],
  options: {
    quick: { type: 'boolean' },
    runs: { type: 'string' },
    photos: { type: 'string' },
    containers: { type: 'string' },
  },
  optionHelp: {
    quick: 'Fewer runs, for a smoke check',
    runs: 'compare: how many fresh processes to time cold (default 7)',
    photos: 'search: how many photos the search finds (default 200); peer: how many demo photos (1–6, default 3); stage: how many labelled photos to composite (default 12)',
    containers: 'search: compare_images container caps to compare, e.g. 1,2,4 (each a search of --photos)',
  },
  allowPositionals: true,
};
