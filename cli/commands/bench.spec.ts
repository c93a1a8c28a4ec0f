import type { CommandSpec } from '../usage';

export const spec: CommandSpec = {
  name: 'bench',
  summary: 'Measure speed and accuracy: compare, search, flood, peer, accuracy, detectors, stage',
  usage: [
    'findme bench compare [--quick] [--runs <n>]',
    'findme bench search [--photos <n>] [--containers <n,n…>]',
    'findme bench flood [--photos <n>] [--rate <n>] [--seconds <n>]',
    'findme bench peer [--photos <n>]',
    'findme bench accuracy [<dir>]',
    'findme bench detectors [--quick]',
    'findme bench stage [<dir>] [--photos <n>] [--skip <n>] [--quick]',
  ],
  options: {
    quick: { type: 'boolean' },
    runs: { type: 'string' },
    photos: { type: 'string' },
    containers: { type: 'string' },
    rate: { type: 'string' },
    seconds: { type: 'string' },
    skip: { type: 'string' },
  },
  optionHelp: {
    quick: 'Fewer runs, for a smoke check',
    runs: 'compare: how many fresh processes to time cold (default 7)',
    photos: 'search: how many photos the search finds (default 200); flood: the same (default 300); peer: how many demo photos (1–6, default 3); stage: how many labelled photos to composite (default 12)',
    rate: 'flood: anonymous search_status requests a second (default 100)',
    seconds: 'flood: how long the flood lasts (default 10)',
    skip: 'stage: leave out the first n photos the sample would take (the photos the defaults were chosen on), to measure on others (default 0)',
    containers: 'search: compare_images container caps to compare, e.g. 1,2,4 (each a search of --photos)',
  },
  allowPositionals: true,
};
