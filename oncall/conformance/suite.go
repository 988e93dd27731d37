package conformance

import "sync"

// reopeners: the Reopener of each open store (see Run).
var reopeners sync.Map

// tests is the suite, by name (the old TestX of package oncall).
var tests = []testCase{
	{"AckPage", testAckPage},
	{"ActionsAndRetroNotes", testActionsAndRetroNotes},
	{"AddMemberRejects", testAddMemberRejects},
	{"AmendmentAsksToConfirm", testAmendmentAsksToConfirm},
	{"AmendmentsKeepBoth", testAmendmentsKeepBoth},
	{"ApplyRotationsIdempotent", testApplyRotationsIdempotent},
	{"Changes", testChanges},
	{"ConcurrentPositionsFromSeparateStores", testConcurrentPositionsFromSeparateStores},
	{"ConcurrentWritersFromSeparateStores", testConcurrentWritersFromSeparateStores},
	{"ConsentAdoptedWithoutObjection", testConsentAdoptedWithoutObjection},
	{"Contacts", testContacts},
	{"CreateRotationAndOnCall", testCreateRotationAndOnCall},
	{"CreateRotationRejects", testCreateRotationRejects},
	{"DecisionBadInput", testDecisionBadInput},
	{"DecisionNoticeClaimedOnce", testDecisionNoticeClaimedOnce},
	{"DecisionNoticesAndSeenMark", testDecisionNoticesAndSeenMark},
	{"IncidentBadInput", testIncidentBadInput},
	{"IncidentLifecycle", testIncidentLifecycle},
	{"IncidentsOrder", testIncidentsOrder},
	{"MarkSeeded", testMarkSeeded},
	{"Me", testMe},
	{"Members", testMembers},
	{"ObjectionBlocksConsent", testObjectionBlocksConsent},
	{"ObjectionLiftedByItsAuthor", testObjectionLiftedByItsAuthor},
	{"OnCallWithOverridesAcrossDST", testOnCallWithOverridesAcrossDST},
	{"OverrideBadInputWritesNothing", testOverrideBadInputWritesNothing},
	{"OverrideProposalRules", testOverrideProposalRules},
	{"QuorumNotReached", testQuorumNotReached},
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
	{"WithdrawByTheAuthorOnly", testWithdrawByTheAuthorOnly},
}
