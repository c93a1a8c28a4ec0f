import type { CommandSpec } from '../usage';

export const spec: CommandSpec = {
  name: 'search',
  summary: 'Search a hashtag for photos of a face, through the local platform or a running findme',
  usage: [
    'findme search <hashtag> --profile <image> [--also <image>]... [--json] [--verbose]',
    'findme search <hashtag> --api <url> --token <access-token> [--also <image>]... [--json] [--verbose]',
  ],
  options: {
    profile: { type: 'string' },
    also: { type: 'string', multiple: true },
    api: { type: 'string' },
    token: { type: 'string' },
    json: { type: 'boolean' },
    verbose: { type: 'boolean', short: 'v' },
  },
  optionHelp: {
    profile: 'Your profile picture (embedded mode: everything runs in this process tree)',
    also: 'Another picture of you, one face (repeatable): added to your reference faces before the search',
    api: 'Base URL of a running findme page (it serves /config.json)',
    token: 'Access token for --api (default: FINDME_TOKEN)',
    json: 'Print only the final status document as JSON on stdout (progress still goes to stderr)',
    verbose: 'Say on stderr which TensorFlow backend checks the profile picture',
  },
  allowPositionals: true,
};
