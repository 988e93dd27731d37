package tui

import (
	carescreen "codeberg.org/entretien/entretien/views/care"
	"codeberg.org/entretien/entretien/views/common"
	"codeberg.org/entretien/entretien/views/decisions"
	"codeberg.org/entretien/entretien/views/deployments"
	"codeberg.org/entretien/entretien/views/incidents"
	"codeberg.org/entretien/entretien/views/jobs"
	"codeberg.org/entretien/entretien/views/nodes"
	"codeberg.org/entretien/entretien/views/outages"
	"codeberg.org/entretien/entretien/views/overview"
	"codeberg.org/entretien/entretien/views/rota"
	"codeberg.org/entretien/entretien/views/services"
)

// topLevel builds the top-level screens in tab order (keys 1-9 then 0, tab, and
// `:<title>`). The first is the default. Adding a screen is one line here.
func topLevel(ctx *common.Context) []common.Screen {
	return []common.Screen{
		outages.New(ctx),
		overview.New(ctx),
		nodes.New(ctx),
		jobs.New(ctx),
		services.New(ctx),
		deployments.New(ctx),
		rota.New(ctx),
		incidents.New(ctx),
		carescreen.New(ctx),
		decisions.New(ctx),
	}
}

// aliases are other names `:` accepts for a top-level screen title.
var aliases = map[string]string{
	"deployments": "deploys", "evals": "deploys", "blocked": "deploys",
	"svc": "services", "journal": "incidents", "sites": "overview",
	"proposals": "decisions",
}
