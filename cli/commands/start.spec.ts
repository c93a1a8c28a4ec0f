import type { CommandSpec } from '../usage';

export const spec: CommandSpec = {
  name: 'start',
  summary: 'Run findme locally: Redis, the OpenWhisk stand-in, a stand-in X API and identity provider, and the web page',
  usage: ['findme start [--port <n>] [--verbose]'],
  options: {
    port: { type: 'string', short: 'p' },
    verbose: { type: 'boolean', short: 'v' },
  },
  optionHelp: {
    port: 'Port of the web page on 127.0.0.1 (default 8080; 0 picks a free one)',
    verbose: 'Print every activation as it ends',
  },
  allowPositionals: false,
};
