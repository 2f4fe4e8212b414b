// The widgets a lesson can use without importing them (passed to <Content components={...} />).
import ScenarioRunner from './ScenarioRunner.astro';
import Panel from './Panel.astro';
import UserImpact from './UserImpact.astro';
import FixAction from './FixAction.astro';
import HintFeed from './HintFeed.astro';
import LogPanel from './LogPanel.astro';
import TraceView from './TraceView.astro';
import Checkpoint from './Checkpoint.astro';
import Timeline from './Timeline.astro';
import Postmortem from './Postmortem.astro';
import Callout from './Callout.astro';
import Pager from './Pager.astro';
import DbActivity from './DbActivity.astro';
import ServiceActions from './ServiceActions.astro';

export const widgets = {
  ScenarioRunner,
  Panel,
  UserImpact,
  FixAction,
  HintFeed,
  LogPanel,
  TraceView,
  Checkpoint,
  Timeline,
  Postmortem,
  Callout,
  Pager,
  DbActivity,
  ServiceActions,
};
