import type { CommandSpec } from '../usage';

export const spec: CommandSpec = {
  name: 'start',
  summary: 'Run findme locally: Redis, the OpenWhisk stand-in, a stand-in X API and identity provider, and the web page',
  usage: ['findme start [--port <n>] [--data-dir <folder>] [--verbose]'],
  options: {
    port: { type: 'string', short: 'p' },
    'data-dir': { type: 'string' },
    verbose: { type: 'boolean', short: 'v' },
  },
  optionHelp: {
    port: 'Port of the web page on 127.0.0.1 (default 8080; 0 picks a free one)',
    'data-dir': 'Where the private Redis keeps its append-only file, so a restart keeps every job (default: findme/ in the user\'s cache folder, $XDG_CACHE_HOME or ~/.cache)',
    verbose: 'Print every activation as it ends',
  },
  allowPositionals: false,
};
