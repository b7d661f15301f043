/** Why parseArgs refused a command's arguments, said in one line that names the option. */
export /** node:util parseArgs messages are long and multi-line; say the same thing in one line. */
function describeParseArgsError(err: unknown, args: readonly string[], command = 'serve'): string {
  const code = (err as { code?: unknown }).code;
  const message = err instanceof Error ? err.message : String(err);
  const option = /'(-[^' ]*)/.exec(message)?.[1] ?? 'an option';
  const hint = `(see tasklight ${command} --help)`;
  switch (code) {
    case 'ERR_PARSE_ARGS_UNKNOWN_OPTION':
      return `tasklight: unknown option ${option} for ${command} ${hint}`;
    case 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL': {
      const positional = /'([^']*)'/.exec(message)?.[1] ?? '';
      return `tasklight: unexpected argument '${positional}' for ${command} ${hint}`;
    }
    case 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE': {
      if (/ambiguous/.test(message)) {
        // `--grpc-port --in-memory` or `--grpc-port -1`: the next word looks like an option.
        const next = args[args.indexOf(option) + 1];
        return `tasklight: ${option} needs a value, got '${next}' (write ${option}=VALUE to pass a value starting with '-')`;
      }
      if (/does not take an argument/.test(message)) return `tasklight: ${option} does not take a value ${hint}`;
      if (/argument missing/.test(message)) return `tasklight: ${option} needs a value ${hint}`;
      return `tasklight: bad value for ${option} ${hint}`;
    }
    default:
      return `tasklight: ${message.split('\n')[0]}`;
  }
}
