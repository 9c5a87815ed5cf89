/** localStorage key of the chosen theme ('light' | 'dark'). */
export const THEME_KEY = 'relay-theme';

/**
 * Runs in <head> before the first paint, so the page never flashes the wrong theme:
 * the stored choice, else the system preference.
 */
export const THEME_SCRIPT = `(function(){try{var t=localStorage.getItem('${THEME_KEY}');var d=t?t==='dark':window.matchMedia('(prefers-color-scheme: dark)').matches;document.documentElement.classList.toggle('dark',d);}catch(e){}})();`;
