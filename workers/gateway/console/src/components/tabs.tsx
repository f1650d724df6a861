import { useLocation } from 'preact-iso';

/**
 * An area's own navigation (Jobs: all, dead letters, schedules…). The tab whose path is the longest prefix of the
 * current one is current, so a detail page (`/console/jobs/job_…`) keeps its list's tab lit.
 */
export function AreaTabs({
  label,
  tabs,
}: {
  label: string;
  tabs: readonly (readonly [href: string, label: string])[];
}) {
  const { path } = useLocation();
  const current = tabs.reduce<string>(
    (best, [href]) => ((path === href || path.startsWith(`${href}/`)) && href.length > best.length ? href : best),
    '',
  );
  return (
    <nav aria-label={label}>
      <ul class="tabs">
        {tabs.map(([href, text]) => (
          <li key={href}>
            <a href={href} aria-current={current === href ? 'page' : undefined}>
              {text}
            </a>
          </li>
        ))}
      </ul>
    </nav>
  );
}
