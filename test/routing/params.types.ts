/**
 * Compile-time checks of PathParams: type-checked by `tsc`, never run. A failing assertion is a
 * type error in this file.
 */
import type { PathParams } from "../../src/routing/params.ts";

type Equal<A, B> =
  (<X>() => X extends A ? 1 : 2) extends <X>() => X extends B ? 1 : 2 ? true : false;
function assert<T extends true>(): T | undefined {
  return undefined;
}

declare global {
  namespace phial {
    interface ConverterTypes {
      lower: string;
      list: string[];
    }
  }
}

// Flask converters.
assert<Equal<PathParams<"/u/<int:id>/*rest">, { id: number; rest: string[] }>>();
assert<Equal<PathParams<"/u/<name>">, { name: string }>>();
assert<Equal<PathParams<"/u/<float:x>/<uuid:u>/<path:p>">, { x: number; u: string; p: string }>>();
assert<Equal<PathParams<"/n/<int(min=1, signed=True):n>">, { n: number }>>();
assert<Equal<PathParams<"/p/<any(about, help, 'x y'):page>">, { page: string }>>();
assert<Equal<PathParams<"/c/<string(length=2):code>">, { code: string }>>();
// User converters: declared ones are typed, undeclared ones are unknown.
assert<Equal<PathParams<"/t/<lower:tag>/<list(';'):items>">, { tag: string; items: string[] }>>();
assert<Equal<PathParams<"/t/<mystery:m>">, { m: unknown }>>();

// path-to-regexp syntax.
assert<Equal<PathParams<"/users/:id">, { id: string }>>();
assert<Equal<PathParams<"/files/:name.:ext">, { name: string; ext: string }>>();
assert<Equal<PathParams<'/q/:"with space"/x'>, { "with space": string }>>();
assert<Equal<PathParams<"/x/*p/edit">, { p: string[] }>>();
assert<Equal<PathParams<"/lit\\:eral/:id">, { id: string }>>();

// Optional groups, nested, mixed with both syntaxes.
assert<Equal<PathParams<"/a{/:opt}">, { opt: string | undefined }>>();
assert<
  Equal<PathParams<"/a{/:b{/<int:c>}}/d">, { b: string | undefined; c: number | undefined }>
>();
assert<Equal<PathParams<"{/:lang}/docs/<path:p>">, { lang: string | undefined; p: string }>>();
assert<Equal<PathParams<"/f{.:ext}/<int:v>">, { ext: string | undefined; v: number }>>();

// No params, and non-literal patterns.
assert<Equal<keyof PathParams<"/about/">, never>>();
assert<Equal<PathParams<string>, Record<string, unknown>>>();

// Reading an undeclared param is an error.
declare const params: PathParams<"/users/<int:id>">;
const id: number = params.id;
// @ts-expect-error id is a number
const wrong: string = params.id;
// @ts-expect-error no such param
params.name;
// @ts-expect-error optional params may be undefined
const opt: string = ({} as PathParams<"/a{/:opt}">).opt;
void id;
void wrong;
void opt;

// Many routes stay cheap: a union of literals is typed param by param.
type Many = PathParams<
  | "/repos/:owner/:repo/issues/:number"
  | "/repos/:owner/:repo/pulls/<int:number>/files"
  | "/orgs/:org/teams/:team_slug/discussions/<int:discussion_number>/comments/<int:comment_number>"
>;
assert<Equal<Many["owner"], string>>();
