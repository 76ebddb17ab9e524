/**
 * Param types read from a path literal at compile time, so `req.params` is typed from the route.
 * The parser works on template-literal splits (on `{`, `}`, `<`, `>`, `:`, `*`) rather than one
 * character at a time, except inside a bare `:name`, which keeps it cheap for hundreds of routes.
 */

declare global {
  /**
   * Global so user code can extend it from anywhere: `declare module "phial"` cannot reach an
   * interface the package re-exports, but global augmentation always merges.
   */
  namespace phial {
    /**
     * The value type of each converter, by the name used in patterns. Declare yours by merging
     * into it so `<name:x>` is typed too.
     *
     * @example
     * ```ts
     * declare global {
     *   namespace phial {
     *     interface ConverterTypes { slug: string; csv: string[] }
     *   }
     * }
     * ```
     */
    interface ConverterTypes {
      default: string;
      string: string;
      int: number;
      float: number;
      path: string;
      uuid: string;
      any: string;
    }
  }
}

/**
 * The value type of each converter by name (`int` -> number). Extend it through the global
 * `phial.ConverterTypes` interface for your own converters.
 *
 * @example
 * ```ts
 * type Id = ConverterTypes["int"]; // number
 * ```
 */
export type ConverterTypes = phial.ConverterTypes;

/**
 * The params object of a route, from its pattern literal: `<int:id>` gives `id: number`, `:name`
 * and `<name>` give strings, `*rest` gives `string[]`, params inside an optional group `{...}`
 * may be `undefined`, a converter missing from {@link ConverterTypes} gives `unknown`. A pattern
 * typed as plain `string` gives `Record<string, unknown>`.
 *
 * @example
 * ```ts
 * type P = PathParams<"/u/<int:id>/*rest">; // { id: number; rest: string[] }
 * ```
 */
export type PathParams<P extends string> = string extends P
  ? Record<string, unknown>
  : { [E in Entries<P> as E[0]]: E[1] };

type Entries<P extends string> =
  SplitGroups<P> extends [infer Out extends string, infer In extends string]
    ? Collect<Out, false> | Collect<In, true>
    : never;

/**
 * Separates text outside optional groups from text inside any (nested) group, as
 * [outside, inside]; pieces are joined with "/" so no name runs into the next piece.
 */
type SplitGroups<
  S extends string,
  Out extends string = "",
  In extends string = "",
  Depth extends 1[] = [],
> = Depth extends []
  ? S extends `${infer A}{${infer B}`
    ? SplitGroups<B, `${Out}/${A}`, In, [1]>
    : [`${Out}/${S}`, In]
  : S extends `${infer A}}${infer B}`
    ? A extends `${infer X}{${infer Y}`
      ? SplitGroups<`${Y}}${B}`, Out, `${In}/${X}`, [...Depth, 1]>
      : SplitGroups<B, Out, `${In}/${A}`, Depth extends [1, ...infer R extends 1[]] ? R : []>
    : [Out, `${In}/${S}`];

type Wrap<T, Optional extends boolean> = Optional extends true ? T | undefined : T;

type ConverterType<C extends string> = C extends keyof ConverterTypes ? ConverterTypes[C] : unknown;

/** Entries `[name, type]` of a group-free piece: Flask `<...>` first, path-to-regexp params around them. */
type Collect<
  S extends string,
  Optional extends boolean,
> = S extends `${infer Head}<${infer Inner}>${infer Tail}`
  ? Native<Head, Optional> | Flask<Inner, Optional> | Collect<Tail, Optional>
  : Native<S, Optional>;

type Flask<
  Inner extends string,
  Optional extends boolean,
> = Inner extends `${infer C}(${string}):${infer N}`
  ? [N, Wrap<ConverterType<C>, Optional>]
  : Inner extends `${infer C}:${infer N}`
    ? [N, Wrap<ConverterType<C>, Optional>]
    : [Inner, Wrap<ConverterType<"default">, Optional>];

type Native<S extends string, Optional extends boolean> =
  | Marked<S, ":", Wrap<string, Optional>>
  | Marked<S, "*", Wrap<string[], Optional>>;

/** Every name after `Mark` (unless escaped with a backslash), typed `T`. */
type Marked<S extends string, Mark extends string, T> = S extends `${infer A}${Mark}${infer B}`
  ? A extends `${string}\\`
    ? Marked<B, Mark, T>
    : ReadName<B> extends [infer N extends string, infer Rest extends string]
      ? (N extends "" ? never : [N, T]) | Marked<Rest, Mark, T>
      : never
  : never;

type ReadName<S extends string> = S extends `"${infer N}"${infer Rest}` ? [N, Rest] : ReadIdent<S>;

type ReadIdent<S extends string, Acc extends string = ""> = S extends `${infer C}${infer Rest}`
  ? C extends IdentChar
    ? ReadIdent<Rest, `${Acc}${C}`>
    : [Acc, S]
  : [Acc, ""];

type IdentChar =
  | "_"
  | "$"
  | "0"
  | "1"
  | "2"
  | "3"
  | "4"
  | "5"
  | "6"
  | "7"
  | "8"
  | "9"
  | Lower
  | Uppercase<Lower>;

type Lower =
  | "a"
  | "b"
  | "c"
  | "d"
  | "e"
  | "f"
  | "g"
  | "h"
  | "i"
  | "j"
  | "k"
  | "l"
  | "m"
  | "n"
  | "o"
  | "p"
  | "q"
  | "r"
  | "s"
  | "t"
  | "u"
  | "v"
  | "w"
  | "x"
  | "y"
  | "z";
