"""Capacity alarms: caseloads and queue ages against the clocks policy's thresholds, checked
by the sweep; alarms raised and cleared as events, kept in a projection, listed for heads of
service and the partnership's scrutineers."""
