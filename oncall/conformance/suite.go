package conformance

import "sync"

// reopeners: the Reopener of each open store (see Run).
var reopeners sync.Map

// tests is the suite, by name (the old TestX of package oncall).
var tests = []testCase{
	{"AckPage", testAckPage},
	{"Changes", testChanges},
	{"ActionsAndRetroNotes", testActionsAndRetroNotes},
	{"AddMemberRejects", testAddMemberRejects},
	{"AmendmentsKeepBoth", testAmendmentsKeepBoth},
	{"ApplyRotationsIdempotent", testApplyRotationsIdempotent},
	{"ConcurrentWritersFromSeparateStores", testConcurrentWritersFromSeparateStores},
	{"Contacts", testContacts},
	{"CreateRotationAndOnCall", testCreateRotationAndOnCall},
	{"CreateRotationRejects", testCreateRotationRejects},
	{"IncidentBadInput", testIncidentBadInput},
	{"IncidentLifecycle", testIncidentLifecycle},
	{"IncidentsOrder", testIncidentsOrder},
	{"MarkSeeded", testMarkSeeded},
	{"Me", testMe},
	{"Members", testMembers},
	{"OnCallWithOverridesAcrossDST", testOnCallWithOverridesAcrossDST},
	{"OverrideBadInputWritesNothing", testOverrideBadInputWritesNothing},
	{"OverrideProposalRules", testOverrideProposalRules},
	{"RecordAction", testRecordAction},
	{"RecordActionBadInput", testRecordActionBadInput},
	{"RecordTransitionDedupAcrossProcesses", testRecordTransitionDedupAcrossProcesses},
	{"RetroAssembly", testRetroAssembly},
	{"RoleTiming", testRoleTiming},
	{"RotaHandoffNotes", testRotaHandoffNotes},
	{"RotaIcalParsesWithARealLibrary", testRotaIcalParsesWithARealLibrary},
	{"RotaLeaveBadInput", testRotaLeaveBadInput},
	{"RotaLeaveRemove", testRotaLeaveRemove},
	{"RotaOnCallHistoryIsRecordedAndFrozen", testRotaOnCallHistoryIsRecordedAndFrozen},
	{"RotaScheduleLeaveConflictsAndGaps", testRotaScheduleLeaveConflictsAndGaps},
	{"RotaSwapProposeAndAccept", testRotaSwapProposeAndAccept},
	{"RotaSwapProposedByAThirdMember", testRotaSwapProposedByAThirdMember},
	{"UpdateActionRecordsCloser", testUpdateActionRecordsCloser},
	{"WatcherLeaseFencing", testWatcherLeaseFencing},
}
