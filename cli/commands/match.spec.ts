import type { CommandSpec } from '../usage';

export const spec: CommandSpec = {
  name: 'match',
  summary: 'Compare the face in a profile picture with the faces in photos (files or URLs); prints JSON lines',
  usage: ['findme match <profile-image> [--also <image>]... <photo-or-url>... [--threshold <d>] [--backend tensorflow|wasm|cpu] [--verbose]'],
  options: {
    also: { type: 'string', multiple: true },
    threshold: { type: 'string', short: 't' },
    backend: { type: 'string', short: 'b' },
    'allow-host': { type: 'string', multiple: true },
    verbose: { type: 'boolean', short: 'v' },
  },
  optionHelp: {
    also: 'Another picture of you, one face (repeatable): a reference face besides the profile picture',
    threshold: 'Largest face distance that counts as a sure match (default: FINDME_MATCH_THRESHOLD or the built-in default); the maybe band goes up to FINDME_MAYBE_THRESHOLD',
    backend: 'TensorFlow backend to use (default: the fastest that loads)',
    'allow-host': 'Also allow downloading photos from this host (repeatable)',
    verbose: 'Say on stderr which TensorFlow backend runs and which did not load',
  },
  allowPositionals: true,
};
