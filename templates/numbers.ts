// Numbers as the pages write them (en-US grouping). One formatter each, made once:
// toLocaleString builds a new one on every call, which the /stats page paid 0.5 ms a view for.
const COUNT = new Intl.NumberFormat("en-US");
const COINS = new Intl.NumberFormat("en-US", { maximumFractionDigits: 8 });

/** 50000 → "50,000". */
export const formatCount = (x: number): string => COUNT.format(x);

/** An amount of HC, to the atom: 1234.5 → "1,234.5 HC". */
export const formatCoins = (x: number): string => `${COINS.format(x)} HC`;
