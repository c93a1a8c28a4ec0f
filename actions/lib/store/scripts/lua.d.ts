/** A `.lua` file imported as its text (esbuild's text loader; bin/register.mjs under tsx). */
declare module '*.lua' {
  const text: string;
  export default text;
}
