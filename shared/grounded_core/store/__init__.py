"""The only code that speaks DynamoDB. It builds keys from the caller's org, translates
``ClientError`` into domain errors, and never scans.
"""
