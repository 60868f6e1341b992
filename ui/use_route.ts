/** The current hash route, following the browser's back and forward buttons. */
import { useEffect, useState } from "preact/hooks";
import { parseRoute, type Route } from "./route.ts";

/** The route of `location.hash`, updated on every hash change. */
export function useRoute(): Route {
  const [route, setRoute] = useState(() => parseRoute(location.hash));
  useEffect(() => {
    const onChange = () => setRoute(parseRoute(location.hash));
    addEventListener("hashchange", onChange);
    return () => removeEventListener("hashchange", onChange);
  }, []);
  return route;
}
