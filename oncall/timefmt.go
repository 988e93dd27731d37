package oncall
