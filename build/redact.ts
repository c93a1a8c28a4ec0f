/** Text with each secret value replaced by ***, raw and as JSON escapes it; values shorter than 4 characters are not secrets worth the noise. */
export function redactor(values: ReadonlyArray<string | undefined>): (text: string) => string {
  const secrets = [...new Set(values.map((v) => v?.trim()).filter((v): v is string => Boolean(v && v.length >= 4)))];
  const forms = [...new Set(secrets.flatMap((s) => [s, JSON.stringify(s).slice(1, -1), encodeURIComponent(s)]))].sort((a, b) => b.length - a.length);
  return (text) => forms.reduce((out, form) => out.split(form).join('***'), text);
}
