import { useId, type ReactNode } from 'react';
import { BackendDown } from './BackendDown.tsx';
import { useHydrated } from './hooks.ts';

/** The frame every widget shares: a titled section that says when the backend is down; the footer stays either way. */
export function Widget(props: {
  name: string;
  title: ReactNode;
  down?: boolean;
  actions?: ReactNode;
  children?: ReactNode;
  footer?: ReactNode;
  className?: string;
  labelId?: string;
}) {
  const hydrated = useHydrated();
  const generatedId = useId();
  const labelId = props.labelId ?? `w-${props.name}-${generatedId}`;
  return (
    <section
      className={`widget widget-${props.name} ${props.className ?? ''}`}
      data-widget={props.name}
      data-hydrated={hydrated ? 'true' : undefined}
      data-down={props.down ? '' : undefined}
      aria-labelledby={labelId}
    >
      <header className="widget-head">
        <h3 id={labelId} className="widget-title">
          {props.title}
        </h3>
        {props.actions ? <div className="widget-actions">{props.actions}</div> : null}
      </header>
      {props.down ? <BackendDown /> : props.children}
      {props.footer}
    </section>
  );
}
