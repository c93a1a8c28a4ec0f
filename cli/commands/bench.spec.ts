import type { CommandSpec } from '../usage';

export const spec: CommandSpec = {
  name: 'bench',
  summary: 'Measure speed and accuracy: compare, search, peer, accuracy, detectors',
  usage: [
    'findme bench compare [--quick] [--runs <n>]',
    'findme bench search [--photos <n>]',
    'findme bench peer [--runs <n>]',
    'findme bench accuracy [<dir>]',
    'findme bench detectors [--quick]',
  ],
  options: {
    quick: { type: 'boolean' },
    runs: { type: 'string' },
    photos: { type: 'string' },
  },
  optionHelp: {
    quick: 'Fewer runs, for a smoke check',
    runs: 'How many runs to take medians over',
    photos: 'How many photos the search benchmark posts (default 200)',
  },
  allowPositionals: true,
};
