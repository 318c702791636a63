"""EvaluateDataQuality with the outcomes the test computed for this file (GLUE_STANDIN_DQ):
the rule outcomes in ruleset order, and each row's passed, failed and skipped rules by line."""
import json
import os

from pyspark.sql import DataFrame


class EvaluateDataQuality:
    def process_rows(self, frame, ruleset, publishing_options, additional_options):
        with open(os.environ["GLUE_STANDIN_DQ"]) as f:
            dq = json.load(f)
        assert ruleset == dq["ruleset"], "the job evaluates the ruleset it was given"
        rows = []
        for r in frame.rows:
            o = dq["rows"].get(str(r["source_line"]), {"pass": [], "fail": [], "skip": []})
            rows.append({**r, "DataQualityRulesPass": o["pass"], "DataQualityRulesFail": o["fail"],
                         "DataQualityRulesSkip": o["skip"],
                         "DataQualityEvaluationResult": "Failed" if o["fail"] else "Passed"})
        return {"ruleOutcomes": DataFrame(dq["ruleOutcomes"]), "rowLevelOutcomes": DataFrame(rows)}
