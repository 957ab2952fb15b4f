"""The local cloud: ``template.yaml`` deployed into an in-process AWS emulator (moto) and served on
http://localhost:3001, with no AWS account and no Docker. See docs/local-cloud.md.
"""
