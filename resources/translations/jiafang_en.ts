<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="en" sourcelanguage="en">
    <context>
        <name>AssetsStep</name>
        <message>
            <source>Member</source>
            <translation>Member</translation>
        </message>
        <message>
            <source>Kind of asset</source>
            <translation>Kind of asset</translation>
        </message>
        <message>
            <source>Value (yuan)</source>
            <translation>Value (yuan)</translation>
        </message>
        <message>
            <source>Description</source>
            <translation>Description</translation>
        </message>
        <message>
            <source>Add asset</source>
            <translation>Add asset</translation>
        </message>
        <message>
            <source>Used for a disability</source>
            <translation>Used for a disability</translation>
        </message>
        <message>
            <source>Bank deposit</source>
            <translation>Bank deposit</translation>
        </message>
        <message>
            <source>Securities</source>
            <translation>Securities</translation>
        </message>
        <message>
            <source>Vehicle</source>
            <translation>Vehicle</translation>
        </message>
        <message>
            <source>Real estate</source>
            <translation>Real estate</translation>
        </message>
        <message>
            <source>Business registration</source>
            <translation>Business registration</translation>
        </message>
        <message>
            <source>Other</source>
            <translation>Other</translation>
        </message>
    </context>
    <context>
        <name>BasicsStep</name>
        <message>
            <source>Kind of visit</source>
            <translation>Kind of visit</translation>
        </message>
        <message>
            <source>Started</source>
            <translation>Started</translation>
        </message>
        <message>
            <source>Ended</source>
            <translation>Ended</translation>
        </message>
        <message>
            <source>People present</source>
            <translation>People present</translation>
        </message>
        <message>
            <source>Visitor %1</source>
            <translation>Visitor %1</translation>
        </message>
        <message>
            <source>Account of another visitor</source>
            <translation>Account of another visitor</translation>
        </message>
        <message>
            <source>Add visitor</source>
            <translation>Add visitor</translation>
        </message>
        <message>
            <source>Names, separated by commas</source>
            <translation>Names, separated by commas</translation>
        </message>
    </context>
    <context>
        <name>CameraDialog</name>
        <message>
            <source>Take photos</source>
            <extracomment>JPEG quality of a captured frame before the import re-encodes it (kept high: it is recompressed once more after downscaling)</extracomment>
            <translation>Take photos</translation>
        </message>
        <message>
            <source>Take photo</source>
            <translation>Take photo</translation>
        </message>
        <message>
            <source>Done</source>
            <translation>Done</translation>
        </message>
        <message numerus="yes">
            <source>%n photo(s) taken</source>
            <translation>
                <numerusform>%n photo taken</numerusform>
                <numerusform>%n photos taken</numerusform>
            </translation>
        </message>
        <message>
            <source>The photo could not be taken: %1</source>
            <translation>The photo could not be taken: %1</translation>
        </message>
        <message>
            <source>The camera cannot be used: %1</source>
            <translation>The camera cannot be used: %1</translation>
        </message>
    </context>
    <context>
        <name>CluesPage</name>
        <message>
            <source>Clue ledger</source>
            <translation>Clue ledger</translation>
        </message>
        <message>
            <source>Check this clue…</source>
            <translation>Check this clue…</translation>
        </message>
        <message>
            <source>Leads from data comparison about members of my households. Each one is closed as confirmed or refuted through a clue-check visit.</source>
            <translation>Leads from data comparison about members of my households. Each one is closed as confirmed or refuted through a clue-check visit.</translation>
        </message>
        <message>
            <source>Found on</source>
            <translation>Found on</translation>
        </message>
        <message>
            <source>Clue</source>
            <translation>Clue</translation>
        </message>
        <message>
            <source>Head of household</source>
            <translation>Head of household</translation>
        </message>
        <message>
            <source>Member</source>
            <translation>Member</translation>
        </message>
        <message>
            <source>Status</source>
            <translation>Status</translation>
        </message>
        <message>
            <source>Address</source>
            <translation>Address</translation>
        </message>
    </context>
    <context>
        <name>ConditionsStep</name>
        <message>
            <source>Housing conditions</source>
            <translation>Housing conditions</translation>
        </message>
        <message>
            <source>Living conditions</source>
            <translation>Living conditions</translation>
        </message>
        <message>
            <source>Neighbour interviews</source>
            <translation>Neighbour interviews</translation>
        </message>
        <message>
            <source>Structure, size, ownership, state of repair…</source>
            <translation>Structure, size, ownership, state of repair…</translation>
        </message>
        <message>
            <source>Furniture, appliances, food, heating…</source>
            <translation>Furniture, appliances, food, heating…</translation>
        </message>
    </context>
    <context>
        <name>ConflictsPage</name>
        <message>
            <source>Conflicts</source>
            <extracomment>columns of the field table</extracomment>
            <translation>Conflicts</translation>
        </message>
        <message>
            <source>Two people changed the same field before their laptops synced. For each field keep the value the server kept, take the other one, or enter a merged value; every laptop then receives the decided record.</source>
            <translation>Two people changed the same field before their laptops synced. For each field keep the value the server kept, take the other one, or enter a merged value; every laptop then receives the decided record.</translation>
        </message>
        <message>
            <source>Refresh</source>
            <translation>Refresh</translation>
        </message>
        <message>
            <source>Raised</source>
            <translation>Raised</translation>
        </message>
        <message>
            <source>Head of household</source>
            <translation>Head of household</translation>
        </message>
        <message>
            <source>Record</source>
            <translation>Record</translation>
        </message>
        <message>
            <source>Fields</source>
            <translation>Fields</translation>
        </message>
        <message>
            <source>Field</source>
            <translation>Field</translation>
        </message>
        <message>
            <source>Value the server kept</source>
            <translation>Value the server kept</translation>
        </message>
        <message>
            <source>Other value</source>
            <translation>Other value</translation>
        </message>
        <message>
            <source>Decision</source>
            <translation>Decision</translation>
        </message>
        <message>
            <source>Merged value</source>
            <translation>Merged value</translation>
        </message>
        <message>
            <source>Note</source>
            <translation>Note</translation>
        </message>
        <message>
            <source>Resolve</source>
            <translation>Resolve</translation>
        </message>
        <message>
            <source>Household</source>
            <translation>Household</translation>
        </message>
        <message>
            <source>Family member</source>
            <translation>Family member</translation>
        </message>
        <message>
            <source>Visit</source>
            <translation>Visit</translation>
        </message>
        <message>
            <source>(not synced yet)</source>
            <translation>(not synced yet)</translation>
        </message>
        <message>
            <source>Choose a conflict from the list.</source>
            <translation>Choose a conflict from the list.</translation>
        </message>
        <message>
            <source>Keep the server's value</source>
            <translation>Keep the server's value</translation>
        </message>
        <message>
            <source>Take the other value</source>
            <translation>Take the other value</translation>
        </message>
        <message>
            <source>Enter a merged value</source>
            <translation>Enter a merged value</translation>
        </message>
        <message>
            <source>Merged value (JSON)</source>
            <translation>Merged value (JSON)</translation>
        </message>
    </context>
    <context>
        <name>DashboardPage</name>
        <message>
            <source>Progress</source>
            <extracomment>the day the six-month window ends (None: today); the screenshots pin it</extracomment>
            <translation>Progress</translation>
        </message>
        <message>
            <source>Refresh</source>
            <translation>Refresh</translation>
        </message>
        <message>
            <source>Grids, findings and clues: from the region's records synced to this laptop (last six months). Agencies and reviews due: from the server.</source>
            <translation>Grids, findings and clues: from the region's records synced to this laptop (last six months). Agencies and reviews due: from the server.</translation>
        </message>
        <message>
            <source>Reviews due: –</source>
            <translation>Reviews due: –</translation>
        </message>
        <message>
            <source>Found ineligible: –</source>
            <translation>Found ineligible: –</translation>
        </message>
        <message>
            <source>Open clues: –</source>
            <translation>Open clues: –</translation>
        </message>
        <message>
            <source>Reviews due: %1</source>
            <translation>Reviews due: %1</translation>
        </message>
        <message>
            <source>Found ineligible: %1%</source>
            <translation>Found ineligible: %1%</translation>
        </message>
        <message>
            <source>Open clues: %1</source>
            <translation>Open clues: %1</translation>
        </message>
        <message>
            <source>Planned</source>
            <translation>Planned</translation>
        </message>
        <message>
            <source>Done</source>
            <translation>Done</translation>
        </message>
        <message>
            <source>Visits per grid: done vs planned</source>
            <translation>Visits per grid: done vs planned</translation>
        </message>
        <message>
            <source>Agency tasks: households visited vs assigned</source>
            <translation>Agency tasks: households visited vs assigned</translation>
        </message>
        <message>
            <source>Visits with a finding</source>
            <translation>Visits with a finding</translation>
        </message>
        <message>
            <source>Found ineligible</source>
            <translation>Found ineligible</translation>
        </message>
        <message>
            <source>Findings by month</source>
            <translation>Findings by month</translation>
        </message>
        <message>
            <source>Opened</source>
            <translation>Opened</translation>
        </message>
        <message>
            <source>Closed</source>
            <translation>Closed</translation>
        </message>
        <message>
            <source>Clues opened vs closed by month</source>
            <translation>Clues opened vs closed by month</translation>
        </message>
    </context>
    <context>
        <name>DiscoveryDialog</name>
        <message>
            <source>Record a family found in the field</source>
            <translation>Record a family found in the field</translation>
        </message>
        <message>
            <source>A family in hardship that is not yet on the list. After saving, a discovery visit opens to record its members, incomes and living conditions.</source>
            <translation>A family in hardship that is not yet on the list. After saving, a discovery visit opens to record its members, incomes and living conditions.</translation>
        </message>
        <message>
            <source>Grid</source>
            <translation>Grid</translation>
        </message>
        <message>
            <source>Head of household</source>
            <translation>Head of household</translation>
        </message>
        <message>
            <source>Address</source>
            <translation>Address</translation>
        </message>
        <message>
            <source>Registered residence</source>
            <translation>Registered residence</translation>
        </message>
        <message>
            <source>Actual residence</source>
            <translation>Actual residence</translation>
        </message>
        <message>
            <source>Phone</source>
            <translation>Phone</translation>
        </message>
        <message>
            <source>Record and start the visit</source>
            <translation>Record and start the visit</translation>
        </message>
        <message>
            <source>Cancel</source>
            <translation>Cancel</translation>
        </message>
        <message>
            <source>No grid is assigned to this account yet; sync first.</source>
            <translation>No grid is assigned to this account yet; sync first.</translation>
        </message>
        <message>
            <source>Enter the head of household's name and the address.</source>
            <translation>Enter the head of household's name and the address.</translation>
        </message>
    </context>
    <context>
        <name>EligibilityPanel</name>
        <message>
            <source>none</source>
            <translation>none</translation>
        </message>
        <message>
            <source>This app's policy (%1) differs from the server's (%2): the server will recompute the result. Update the app.</source>
            <translation>This app's policy (%1) differs from the server's (%2): the server will recompute the result. Update the app.</translation>
        </message>
        <message>
            <source>Eligibility as entered</source>
            <translation>Eligibility as entered</translation>
        </message>
        <message>
            <source>Enter the family members to see the result.</source>
            <translation>Enter the family members to see the result.</translation>
        </message>
        <message>
            <source>Per-capita income %1 yuan/month
Monthly benefit %2 yuan</source>
            <translation>Per-capita income %1 yuan/month
Monthly benefit %2 yuan</translation>
        </message>
    </context>
    <context>
        <name>ExpensesStep</name>
        <message>
            <source>Member</source>
            <translation>Member</translation>
        </message>
        <message>
            <source>Kind of expense</source>
            <translation>Kind of expense</translation>
        </message>
        <message>
            <source>Per month (yuan)</source>
            <translation>Per month (yuan)</translation>
        </message>
        <message>
            <source>Note</source>
            <translation>Note</translation>
        </message>
        <message>
            <source>Add expense</source>
            <translation>Add expense</translation>
        </message>
        <message>
            <source>Medical</source>
            <translation>Medical</translation>
        </message>
        <message>
            <source>Education</source>
            <translation>Education</translation>
        </message>
        <message>
            <source>Necessary cost of working</source>
            <translation>Necessary cost of working</translation>
        </message>
    </context>
    <context>
        <name>FindingStep</name>
        <message>
            <source>Notice of duties</source>
            <translation>Notice of duties</translation>
        </message>
        <message>
            <source>Finding</source>
            <translation>Finding</translation>
        </message>
        <message>
            <source>Reasons for the finding</source>
            <translation>Reasons for the finding</translation>
        </message>
        <message>
            <source>Outcome of the clues checked</source>
            <translation>Outcome of the clues checked</translation>
        </message>
        <message>
            <source>The household was told in writing: any change in family members, income or property must be reported within one month; obtaining assistance by fraud is prosecuted according to law.</source>
            <translation>The household was told in writing: any change in family members, income or property must be reported within one month; obtaining assistance by fraud is prosecuted according to law.</translation>
        </message>
        <message>
            <source>The notice of duties was read and signed</source>
            <translation>The notice of duties was read and signed</translation>
        </message>
        <message>
            <source>Clue</source>
            <translation>Clue</translation>
        </message>
        <message>
            <source>Not decided</source>
            <translation>Not decided</translation>
        </message>
    </context>
    <context>
        <name>HomePage</name>
        <message>
            <source>Households in my grids</source>
            <translation>Households in my grids</translation>
        </message>
        <message>
            <source>Reviews due within 30 days</source>
            <translation>Reviews due within 30 days</translation>
        </message>
        <message>
            <source>Open clues</source>
            <translation>Open clues</translation>
        </message>
        <message>
            <source>Open tasks</source>
            <translation>Open tasks</translation>
        </message>
        <message>
            <source>Reviews falling due</source>
            <translation>Reviews falling due</translation>
        </message>
        <message>
            <source>Returned for correction</source>
            <translation>Returned for correction</translation>
        </message>
        <message>
            <source>Visit date</source>
            <translation>Visit date</translation>
        </message>
        <message>
            <source>Comments</source>
            <translation>Comments</translation>
        </message>
        <message>
            <source>Found on</source>
            <translation>Found on</translation>
        </message>
        <message>
            <source>Clue</source>
            <translation>Clue</translation>
        </message>
        <message>
            <source>Member</source>
            <translation>Member</translation>
        </message>
        <message>
            <source>My tasks</source>
            <translation>My tasks</translation>
        </message>
        <message>
            <source>Deadline</source>
            <translation>Deadline</translation>
        </message>
        <message>
            <source>Task</source>
            <translation>Task</translation>
        </message>
        <message numerus="yes">
            <source>%n comment(s)</source>
            <translation>
                <numerusform>%n comment</numerusform>
                <numerusform>%n comments</numerusform>
            </translation>
        </message>
        <message>
            <source>Kind</source>
            <translation>Kind</translation>
        </message>
        <message>
            <source>Progress</source>
            <translation>Progress</translation>
        </message>
        <message>
            <source>Next review</source>
            <translation>Next review</translation>
        </message>
        <message>
            <source>Head of household</source>
            <translation>Head of household</translation>
        </message>
        <message>
            <source>Address</source>
            <translation>Address</translation>
        </message>
        <message>
            <source>Welcome, %1</source>
            <translation>Welcome, %1</translation>
        </message>
        <message>
            <source>Home</source>
            <translation>Home</translation>
        </message>
        <message>
            <source>(overdue)</source>
            <translation>(overdue)</translation>
        </message>
        <message>
            <source>%1 of %2 households visited (%3%)</source>
            <translation>%1 of %2 households visited (%3%)</translation>
        </message>
    </context>
    <context>
        <name>HouseholdFileView</name>
        <message>
            <source>Household list</source>
            <translation>Household list</translation>
        </message>
        <message>
            <source>New visit</source>
            <translation>New visit</translation>
        </message>
        <message>
            <source>Address</source>
            <translation>Address</translation>
        </message>
        <message>
            <source>Status</source>
            <translation>Status</translation>
        </message>
        <message>
            <source>Registered residence</source>
            <translation>Registered residence</translation>
        </message>
        <message>
            <source>Actual residence</source>
            <translation>Actual residence</translation>
        </message>
        <message>
            <source>Phone</source>
            <translation>Phone</translation>
        </message>
        <message>
            <source>Next review</source>
            <translation>Next review</translation>
        </message>
        <message>
            <source>Name</source>
            <translation>Name</translation>
        </message>
        <message>
            <source>Relation</source>
            <translation>Relation</translation>
        </message>
        <message>
            <source>ID number</source>
            <translation>ID number</translation>
        </message>
        <message>
            <source>Sex</source>
            <translation>Sex</translation>
        </message>
        <message>
            <source>Age</source>
            <translation>Age</translation>
        </message>
        <message>
            <source>Health</source>
            <translation>Health</translation>
        </message>
        <message>
            <source>Disability</source>
            <translation>Disability</translation>
        </message>
        <message>
            <source>Labour capacity</source>
            <translation>Labour capacity</translation>
        </message>
        <message>
            <source>Date</source>
            <translation>Date</translation>
        </message>
        <message>
            <source>Kind</source>
            <translation>Kind</translation>
        </message>
        <message>
            <source>Revision</source>
            <translation>Revision</translation>
        </message>
        <message>
            <source>Finding</source>
            <translation>Finding</translation>
        </message>
        <message>
            <source>Clue</source>
            <translation>Clue</translation>
        </message>
        <message>
            <source>Member</source>
            <translation>Member</translation>
        </message>
        <message>
            <source>Detail</source>
            <translation>Detail</translation>
        </message>
        <message>
            <source>Members</source>
            <translation>Members</translation>
        </message>
        <message>
            <source>Visits</source>
            <translation>Visits</translation>
        </message>
        <message>
            <source>Clues</source>
            <translation>Clues</translation>
        </message>
        <message>
            <source>Eligibility</source>
            <translation>Eligibility</translation>
        </message>
        <message>
            <source>(lives away from registered residence)</source>
            <translation>(lives away from registered residence)</translation>
        </message>
        <message>
            <source>Grade %1</source>
            <translation>Grade %1</translation>
        </message>
        <message>
            <source>No visit with family data yet.</source>
            <translation>No visit with family data yet.</translation>
        </message>
        <message>
            <source>Result: %1 (as of %2)</source>
            <translation>Result: %1 (as of %2)</translation>
        </message>
        <message>
            <source>Per-capita income %1 yuan/month · monthly benefit %2 yuan · policy %3</source>
            <translation>Per-capita income %1 yuan/month · monthly benefit %2 yuan · policy %3</translation>
        </message>
    </context>
    <context>
        <name>HouseholdListPage</name>
        <message>
            <source>Task: %1</source>
            <extracomment>"review due" filter choices: days ahead of today (0 = overdue or due today)</extracomment>
            <translation>Task: %1</translation>
        </message>
        <message>
            <source>Households</source>
            <translation>Households</translation>
        </message>
        <message>
            <source>Family found in the field…</source>
            <translation>Family found in the field…</translation>
        </message>
        <message>
            <source>Show all households</source>
            <translation>Show all households</translation>
        </message>
        <message>
            <source>Search name, ID number or address</source>
            <translation>Search name, ID number or address</translation>
        </message>
        <message>
            <source>All categories</source>
            <translation>All categories</translation>
        </message>
        <message>
            <source>All statuses</source>
            <translation>All statuses</translation>
        </message>
        <message>
            <source>Any review date</source>
            <translation>Any review date</translation>
        </message>
        <message>
            <source>Review overdue</source>
            <translation>Review overdue</translation>
        </message>
        <message>
            <source>Review within 30 days</source>
            <translation>Review within 30 days</translation>
        </message>
        <message>
            <source>Review within 90 days</source>
            <translation>Review within 90 days</translation>
        </message>
        <message>
            <source>Grid %1</source>
            <translation>Grid %1</translation>
        </message>
        <message>
            <source>All grids</source>
            <translation>All grids</translation>
        </message>
        <message>
            <source>%1 of %2 households</source>
            <translation>%1 of %2 households</translation>
        </message>
    </context>
    <context>
        <name>HouseholdTableModel</name>
        <message>
            <source>Head of household</source>
            <extracomment>the read model of a row (for views and the household file) a sortable key (dates as ISO strings, counts as ints)</extracomment>
            <translation>Head of household</translation>
        </message>
        <message>
            <source>Address</source>
            <translation>Address</translation>
        </message>
        <message>
            <source>Members</source>
            <translation>Members</translation>
        </message>
        <message>
            <source>Category</source>
            <translation>Category</translation>
        </message>
        <message>
            <source>Status</source>
            <translation>Status</translation>
        </message>
        <message>
            <source>Next review</source>
            <translation>Next review</translation>
        </message>
        <message>
            <source>Open clues</source>
            <translation>Open clues</translation>
        </message>
    </context>
    <context>
        <name>IncomesStep</name>
        <message>
            <source>Member</source>
            <translation>Member</translation>
        </message>
        <message>
            <source>Kind of income</source>
            <translation>Kind of income</translation>
        </message>
        <message>
            <source>Per month (yuan)</source>
            <translation>Per month (yuan)</translation>
        </message>
        <message>
            <source>Note</source>
            <translation>Note</translation>
        </message>
        <message>
            <source>Add income</source>
            <translation>Add income</translation>
        </message>
        <message>
            <source>Wages</source>
            <translation>Wages</translation>
        </message>
        <message>
            <source>Business income</source>
            <translation>Business income</translation>
        </message>
        <message>
            <source>Property income</source>
            <translation>Property income</translation>
        </message>
        <message>
            <source>Pension</source>
            <translation>Pension</translation>
        </message>
        <message>
            <source>Transfers (support from relatives)</source>
            <translation>Transfers (support from relatives)</translation>
        </message>
        <message>
            <source>Farming</source>
            <translation>Farming</translation>
        </message>
        <message>
            <source>Assistance payments</source>
            <translation>Assistance payments</translation>
        </message>
        <message>
            <source>Other</source>
            <translation>Other</translation>
        </message>
    </context>
    <context>
        <name>InterviewsEditor</name>
        <message>
            <source>Interviewed</source>
            <translation>Interviewed</translation>
        </message>
        <message>
            <source>Relation</source>
            <translation>Relation</translation>
        </message>
        <message>
            <source>What they said</source>
            <translation>What they said</translation>
        </message>
        <message>
            <source>Add interview</source>
            <translation>Add interview</translation>
        </message>
    </context>
    <context>
        <name>Labels</name>
        <message>
            <source>Not assessed</source>
            <translation>Not assessed</translation>
        </message>
        <message>
            <source>Extreme poverty</source>
            <translation>Extreme poverty</translation>
        </message>
        <message>
            <source>Minimum living</source>
            <translation>Minimum living</translation>
        </message>
        <message>
            <source>Low income</source>
            <translation>Low income</translation>
        </message>
        <message>
            <source>Expenditure hardship</source>
            <translation>Expenditure hardship</translation>
        </message>
        <message>
            <source>Not eligible</source>
            <translation>Not eligible</translation>
        </message>
        <message>
            <source>Active</source>
            <translation>Active</translation>
        </message>
        <message>
            <source>Suspended</source>
            <translation>Suspended</translation>
        </message>
        <message>
            <source>Closed</source>
            <translation>Closed</translation>
        </message>
        <message>
            <source>Application survey</source>
            <translation>Application survey</translation>
        </message>
        <message>
            <source>Periodic review</source>
            <translation>Periodic review</translation>
        </message>
        <message>
            <source>Clue check</source>
            <translation>Clue check</translation>
        </message>
        <message>
            <source>Welfare visit</source>
            <translation>Welfare visit</translation>
        </message>
        <message>
            <source>Discovery</source>
            <translation>Discovery</translation>
        </message>
        <message>
            <source>Draft</source>
            <translation>Draft</translation>
        </message>
        <message>
            <source>Completed</source>
            <translation>Completed</translation>
        </message>
        <message>
            <source>Synced</source>
            <translation>Synced</translation>
        </message>
        <message>
            <source>Under review</source>
            <translation>Under review</translation>
        </message>
        <message>
            <source>Approved</source>
            <translation>Approved</translation>
        </message>
        <message>
            <source>Returned</source>
            <translation>Returned</translation>
        </message>
        <message>
            <source>Revised</source>
            <translation>Revised</translation>
        </message>
        <message>
            <source>Head</source>
            <translation>Head</translation>
        </message>
        <message>
            <source>Spouse</source>
            <translation>Spouse</translation>
        </message>
        <message>
            <source>Child</source>
            <translation>Child</translation>
        </message>
        <message>
            <source>Parent</source>
            <translation>Parent</translation>
        </message>
        <message>
            <source>Grandchild</source>
            <translation>Grandchild</translation>
        </message>
        <message>
            <source>Grandparent</source>
            <translation>Grandparent</translation>
        </message>
        <message>
            <source>Sibling</source>
            <translation>Sibling</translation>
        </message>
        <message>
            <source>Other</source>
            <translation>Other</translation>
        </message>
        <message>
            <source>Healthy</source>
            <translation>Healthy</translation>
        </message>
        <message>
            <source>Chronic illness</source>
            <translation>Chronic illness</translation>
        </message>
        <message>
            <source>Serious illness</source>
            <translation>Serious illness</translation>
        </message>
        <message>
            <source>Full labour capacity</source>
            <translation>Full labour capacity</translation>
        </message>
        <message>
            <source>Partial labour capacity</source>
            <translation>Partial labour capacity</translation>
        </message>
        <message>
            <source>No labour capacity</source>
            <translation>No labour capacity</translation>
        </message>
        <message>
            <source>Business registration</source>
            <translation>Business registration</translation>
        </message>
        <message>
            <source>Relative on public payroll</source>
            <translation>Relative on public payroll</translation>
        </message>
        <message>
            <source>Real estate</source>
            <translation>Real estate</translation>
        </message>
        <message>
            <source>Vehicle</source>
            <translation>Vehicle</translation>
        </message>
        <message>
            <source>Death</source>
            <translation>Death</translation>
        </message>
        <message>
            <source>Imprisonment</source>
            <translation>Imprisonment</translation>
        </message>
        <message>
            <source>Large deposit</source>
            <translation>Large deposit</translation>
        </message>
        <message>
            <source>Open</source>
            <translation>Open</translation>
        </message>
        <message>
            <source>Confirmed</source>
            <translation>Confirmed</translation>
        </message>
        <message>
            <source>Refuted</source>
            <translation>Refuted</translation>
        </message>
        <message>
            <source>No finding yet</source>
            <translation>No finding yet</translation>
        </message>
        <message>
            <source>Eligible</source>
            <translation>Eligible</translation>
        </message>
        <message>
            <source>Ineligible</source>
            <translation>Ineligible</translation>
        </message>
        <message>
            <source>Doubtful</source>
            <translation>Doubtful</translation>
        </message>
        <message>
            <source>Male</source>
            <translation>Male</translation>
        </message>
        <message>
            <source>Female</source>
            <translation>Female</translation>
        </message>
        <message>
            <source>Not allowed to change this record</source>
            <translation>Not allowed to change this record</translation>
        </message>
        <message>
            <source>The server has no such record</source>
            <translation>The server has no such record</translation>
        </message>
        <message>
            <source>The server has no such household</source>
            <translation>The server has no such household</translation>
        </message>
        <message>
            <source>Based on a version the server never had</source>
            <translation>Based on a version the server never had</translation>
        </message>
        <message>
            <source>The record was deleted on the server</source>
            <translation>The record was deleted on the server</translation>
        </message>
        <message>
            <source>A completed visit cannot change; make a revision</source>
            <translation>A completed visit cannot change; make a revision</translation>
        </message>
        <message>
            <source>The change has fields the server does not take</source>
            <translation>The change has fields the server does not take</translation>
        </message>
        <message>
            <source>This kind of record cannot be sent</source>
            <translation>This kind of record cannot be sent</translation>
        </message>
        <message>
            <source>The change comes from another device</source>
            <translation>The change comes from another device</translation>
        </message>
        <message>
            <source>The change is too large to send</source>
            <translation>The change is too large to send</translation>
        </message>
        <message>
            <source>Refused by the server (%1)</source>
            <translation>Refused by the server (%1)</translation>
        </message>
    </context>
    <context>
        <name>LeaseLapsedBanner</name>
        <message>
            <source>Sync now</source>
            <translation>Sync now</translation>
        </message>
        <message>
            <source>This laptop's clock was turned back</source>
            <translation>This laptop's clock was turned back</translation>
        </message>
        <message>
            <source>The clock shows a time earlier than this laptop has already seen, so household data is locked. Correct the date and time, then sync.</source>
            <translation>The clock shows a time earlier than this laptop has already seen, so household data is locked. Correct the date and time, then sync.</translation>
        </message>
        <message>
            <source>Offline lease lapsed</source>
            <translation>Offline lease lapsed</translation>
        </message>
        <message>
            <source>This laptop has not synced for too long, so household data is locked until it syncs with the server again.</source>
            <translation>This laptop has not synced for too long, so household data is locked until it syncs with the server again.</translation>
        </message>
        <message numerus="yes">
            <source>%n household(s) of your tasks were removed from this laptop.</source>
            <translation>
                <numerusform>%n household of your tasks were removed from this laptop.</numerusform>
                <numerusform>%n households of your tasks were removed from this laptop.</numerusform>
            </translation>
        </message>
        <message numerus="yes">
            <source>Kept on this laptop, locked, until their unsent work is synced (then removed): %n household(s) of your tasks.</source>
            <translation>
                <numerusform>Kept on this laptop, locked, until their unsent work is synced (then removed): %n household of your tasks.</numerusform>
                <numerusform>Kept on this laptop, locked, until their unsent work is synced (then removed): %n households of your tasks.</numerusform>
            </translation>
        </message>
        <message>
            <source>No household of your tasks is left on this laptop.</source>
            <translation>No household of your tasks is left on this laptop.</translation>
        </message>
    </context>
    <context>
        <name>MainWindow</name>
        <message>
            <source>Jiafang – home visits</source>
            <extracomment>the newest autosaved visit form found after a crash (waiting to be sent, conflicts, rejected) the household left the user's reach (a closed task): only this form keeps it here the server's password check that lifts the offline lock-out (None: no server) background sync; None runs the app without a server (demo mode, most tests) the open "family found in the field" dialog, if any (tests drive it) reviews, dashboards, tasks, spot checks by role; returned visits for authors</extracomment>
            <translation>Jiafang – home visits</translation>
        </message>
        <message>
            <source>Language</source>
            <translation>Language</translation>
        </message>
        <message>
            <source>This installation has no server to sign in with.</source>
            <translation>This installation has no server to sign in with.</translation>
        </message>
        <message>
            <source>Wrong password.</source>
            <translation>Wrong password.</translation>
        </message>
        <message>
            <source>An unsaved visit draft was recovered. This household is no longer in your tasks: finish or discard the visit; its data is removed from this laptop once the pending work is synced.</source>
            <translation>An unsaved visit draft was recovered. This household is no longer in your tasks: finish or discard the visit; its data is removed from this laptop once the pending work is synced.</translation>
        </message>
        <message>
            <source>An unsaved visit draft was recovered.</source>
            <translation>An unsaved visit draft was recovered.</translation>
        </message>
        <message>
            <source>The visit was completed and locked.</source>
            <translation>The visit was completed and locked.</translation>
        </message>
        <message>
            <source>The typing was discarded; the household is removed at the next sync.</source>
            <translation>The typing was discarded; the household is removed at the next sync.</translation>
        </message>
        <message>
            <source>The server did not accept the saved sign-in; lock and unlock with your current password.</source>
            <translation>The server did not accept the saved sign-in; lock and unlock with your current password.</translation>
        </message>
        <message>
            <source>This version of Jiafang is too old for the server; please update it.</source>
            <translation>This version of Jiafang is too old for the server; please update it.</translation>
        </message>
        <message>
            <source>This laptop's access was revoked by the administrator; its data was erased.</source>
            <translation>This laptop's access was revoked by the administrator; its data was erased.</translation>
        </message>
    </context>
    <context>
        <name>MembersStep</name>
        <message>
            <source>No disability</source>
            <translation>No disability</translation>
        </message>
        <message>
            <source>Grade %1</source>
            <translation>Grade %1</translation>
        </message>
        <message>
            <source>Name</source>
            <translation>Name</translation>
        </message>
        <message>
            <source>ID number</source>
            <translation>ID number</translation>
        </message>
        <message>
            <source>Relation to head</source>
            <translation>Relation to head</translation>
        </message>
        <message>
            <source>Health</source>
            <translation>Health</translation>
        </message>
        <message>
            <source>Disability</source>
            <translation>Disability</translation>
        </message>
        <message>
            <source>Labour capacity</source>
            <translation>Labour capacity</translation>
        </message>
        <message>
            <source>Add member</source>
            <translation>Add member</translation>
        </message>
        <message>
            <source>Remove</source>
            <translation>Remove</translation>
        </message>
        <message>
            <source>Employed</source>
            <translation>Employed</translation>
        </message>
        <message>
            <source>Lives with the family</source>
            <translation>Lives with the family</translation>
        </message>
        <message>
            <source>Has a legal supporter able to support them</source>
            <translation>Has a legal supporter able to support them</translation>
        </message>
        <message>
            <source>(no name)</source>
            <translation>(no name)</translation>
        </message>
        <message>
            <source>Born %1 · %2 · %3 years old</source>
            <translation>Born %1 · %2 · %3 years old</translation>
        </message>
    </context>
    <context>
        <name>PhotosStep</name>
        <message>
            <source>Photos</source>
            <extracomment>by signer: "household" or a visitor's account as entered in the basics step the visitors listed in the basics step, in order ("" for a slot not filled in yet)</extracomment>
            <translation>Photos</translation>
        </message>
        <message>
            <source>Signatures</source>
            <translation>Signatures</translation>
        </message>
        <message>
            <source>Import photos…</source>
            <translation>Import photos…</translation>
        </message>
        <message>
            <source>Location and camera data are removed and photos are reduced to a few hundred KB before they are stored, encrypted.</source>
            <translation>Location and camera data are removed and photos are reduced to a few hundred KB before they are stored, encrypted.</translation>
        </message>
        <message>
            <source>Signature of the household</source>
            <translation>Signature of the household</translation>
        </message>
        <message>
            <source>Keep signature</source>
            <translation>Keep signature</translation>
        </message>
        <message>
            <source>Take photo…</source>
            <translation>Take photo…</translation>
        </message>
        <message>
            <source>Clear</source>
            <translation>Clear</translation>
        </message>
        <message>
            <source>Signature of visitor %1</source>
            <translation>Signature of visitor %1</translation>
        </message>
        <message>
            <source>Visitor %1: enter their account in step 1 to sign here.</source>
            <translation>Visitor %1: enter their account in step 1 to sign here.</translation>
        </message>
        <message>
            <source>the household</source>
            <translation>the household</translation>
        </message>
        <message>
            <source>Still to sign and keep: %1</source>
            <translation>Still to sign and keep: %1</translation>
        </message>
        <message>
            <source>Signed</source>
            <translation>Signed</translation>
        </message>
        <message>
            <source>Import photos</source>
            <translation>Import photos</translation>
        </message>
        <message>
            <source>Pictures (*.jpg *.jpeg *.png *.heic)</source>
            <translation>Pictures (*.jpg *.jpeg *.png *.heic)</translation>
        </message>
    </context>
    <context>
        <name>RegistrationPage</name>
        <message>
            <source>Register this laptop</source>
            <translation>Register this laptop</translation>
        </message>
        <message>
            <source>Sign in once with your work account while online. Your data on this laptop is then encrypted with your password and works offline.</source>
            <translation>Sign in once with your work account while online. Your data on this laptop is then encrypted with your password and works offline.</translation>
        </message>
        <message>
            <source>Server address</source>
            <translation>Server address</translation>
        </message>
        <message>
            <source>Account</source>
            <translation>Account</translation>
        </message>
        <message>
            <source>Password</source>
            <translation>Password</translation>
        </message>
        <message>
            <source>Repeat password</source>
            <translation>Repeat password</translation>
        </message>
        <message>
            <source>There is no way to recover data if the password is forgotten.</source>
            <translation>There is no way to recover data if the password is forgotten.</translation>
        </message>
        <message>
            <source>Register and create vault</source>
            <translation>Register and create vault</translation>
        </message>
        <message>
            <source>Back</source>
            <translation>Back</translation>
        </message>
        <message>
            <source>Registering…</source>
            <translation>Registering…</translation>
        </message>
        <message>
            <source>Enter the server address and your account.</source>
            <translation>Enter the server address and your account.</translation>
        </message>
        <message>
            <source>The password needs at least %1 characters.</source>
            <translation>The password needs at least %1 characters.</translation>
        </message>
        <message>
            <source>The two passwords differ.</source>
            <translation>The two passwords differ.</translation>
        </message>
    </context>
    <context>
        <name>ReturnedVisitsPage</name>
        <message>
            <source>revision %1</source>
            <extracomment>column of the member's ID number in the household file's member table</extracomment>
            <translation>revision %1</translation>
        </message>
        <message>
            <source>Returned visits</source>
            <translation>Returned visits</translation>
        </message>
        <message>
            <source>A reviewer sent these visits back with comments. Revising one opens a new revision with the comments shown at their fields; the returned one is kept.</source>
            <translation>A reviewer sent these visits back with comments. Revising one opens a new revision with the comments shown at their fields; the returned one is kept.</translation>
        </message>
        <message>
            <source>Visit date</source>
            <translation>Visit date</translation>
        </message>
        <message>
            <source>Kind</source>
            <translation>Kind</translation>
        </message>
        <message>
            <source>Revision</source>
            <translation>Revision</translation>
        </message>
        <message>
            <source>Revise</source>
            <translation>Revise</translation>
        </message>
    </context>
    <context>
        <name>ReviewCommentsBar</name>
        <message>
            <source>The reviewer commented on this step</source>
            <extracomment>top-level visit field -&gt; index of the form step that edits it</extracomment>
            <translation>The reviewer commented on this step</translation>
        </message>
        <message>
            <source>Returned by the reviewer: correct the marked fields and complete again</source>
            <translation>Returned by the reviewer: correct the marked fields and complete again</translation>
        </message>
        <message numerus="yes">
            <source>%n more comment(s) on other steps (marked in yellow)</source>
            <translation>
                <numerusform>%n more comment on other steps (marked in yellow)</numerusform>
                <numerusform>%n more comments on other steps (marked in yellow)</numerusform>
            </translation>
        </message>
    </context>
    <context>
        <name>ReviewFields</name>
        <message>
            <source>Visitors</source>
            <translation>Visitors</translation>
        </message>
        <message>
            <source>Started at</source>
            <translation>Started at</translation>
        </message>
        <message>
            <source>Ended at</source>
            <translation>Ended at</translation>
        </message>
        <message>
            <source>People present</source>
            <translation>People present</translation>
        </message>
        <message>
            <source>Housing conditions</source>
            <translation>Housing conditions</translation>
        </message>
        <message>
            <source>Living conditions</source>
            <translation>Living conditions</translation>
        </message>
        <message>
            <source>Family members</source>
            <translation>Family members</translation>
        </message>
        <message>
            <source>Incomes</source>
            <translation>Incomes</translation>
        </message>
        <message>
            <source>Assets</source>
            <translation>Assets</translation>
        </message>
        <message>
            <source>Expenses</source>
            <translation>Expenses</translation>
        </message>
        <message>
            <source>Neighbour interviews</source>
            <translation>Neighbour interviews</translation>
        </message>
        <message>
            <source>Photos</source>
            <translation>Photos</translation>
        </message>
        <message>
            <source>Notice of duties signed</source>
            <translation>Notice of duties signed</translation>
        </message>
        <message>
            <source>Signatures</source>
            <translation>Signatures</translation>
        </message>
        <message>
            <source>Finding</source>
            <translation>Finding</translation>
        </message>
        <message>
            <source>Reasons for the finding</source>
            <translation>Reasons for the finding</translation>
        </message>
        <message>
            <source>Employment reported on</source>
            <translation>Employment reported on</translation>
        </message>
        <message>
            <source>Clues</source>
            <translation>Clues</translation>
        </message>
        <message>
            <source>Eligibility result</source>
            <translation>Eligibility result</translation>
        </message>
        <message>
            <source>Visit date</source>
            <translation>Visit date</translation>
        </message>
        <message>
            <source>Kind of visit</source>
            <translation>Kind of visit</translation>
        </message>
        <message>
            <source>Status</source>
            <translation>Status</translation>
        </message>
        <message>
            <source>monthly amount</source>
            <translation>monthly amount</translation>
        </message>
        <message>
            <source>type</source>
            <translation>type</translation>
        </message>
        <message>
            <source>relation</source>
            <translation>relation</translation>
        </message>
        <message>
            <source>health</source>
            <translation>health</translation>
        </message>
        <message>
            <source>disability grade</source>
            <translation>disability grade</translation>
        </message>
        <message>
            <source>labour capacity</source>
            <translation>labour capacity</translation>
        </message>
        <message>
            <source>for a disability</source>
            <translation>for a disability</translation>
        </message>
        <message>
            <source>signer</source>
            <translation>signer</translation>
        </message>
        <message>
            <source>signed at</source>
            <translation>signed at</translation>
        </message>
        <message>
            <source>file</source>
            <translation>file</translation>
        </message>
        <message>
            <source>value</source>
            <translation>value</translation>
        </message>
        <message>
            <source>note</source>
            <translation>note</translation>
        </message>
        <message>
            <source>member</source>
            <translation>member</translation>
        </message>
        <message>
            <source>name</source>
            <translation>name</translation>
        </message>
        <message>
            <source>ID number</source>
            <translation>ID number</translation>
        </message>
        <message>
            <source>description</source>
            <translation>description</translation>
        </message>
        <message>
            <source>amount</source>
            <translation>amount</translation>
        </message>
        <message>
            <source>statement</source>
            <translation>statement</translation>
        </message>
        <message>
            <source>head of household</source>
            <translation>head of household</translation>
        </message>
        <message>
            <source>address</source>
            <translation>address</translation>
        </message>
        <message>
            <source>registered residence</source>
            <translation>registered residence</translation>
        </message>
        <message>
            <source>actual residence</source>
            <translation>actual residence</translation>
        </message>
        <message>
            <source>phone</source>
            <translation>phone</translation>
        </message>
        <message>
            <source>grid</source>
            <translation>grid</translation>
        </message>
        <message>
            <source>household</source>
            <translation>household</translation>
        </message>
        <message>
            <source>employed</source>
            <translation>employed</translation>
        </message>
        <message>
            <source>employment</source>
            <translation>employment</translation>
        </message>
        <message>
            <source>schooling</source>
            <translation>schooling</translation>
        </message>
        <message>
            <source>special status</source>
            <translation>special status</translation>
        </message>
        <message>
            <source>lives with the family</source>
            <translation>lives with the family</translation>
        </message>
        <message>
            <source>has an able supporter</source>
            <translation>has an able supporter</translation>
        </message>
        <message>
            <source>item %1</source>
            <translation>item %1</translation>
        </message>
        <message>
            <source>yes</source>
            <translation>yes</translation>
        </message>
        <message>
            <source>no</source>
            <translation>no</translation>
        </message>
        <message>
            <source>policy</source>
            <translation>policy</translation>
        </message>
        <message>
            <source>policy version</source>
            <translation>policy version</translation>
        </message>
        <message>
            <source>assistance category</source>
            <translation>assistance category</translation>
        </message>
        <message>
            <source>household size</source>
            <translation>household size</translation>
        </message>
        <message>
            <source>counted income</source>
            <translation>counted income</translation>
        </message>
        <message>
            <source>per-capita income</source>
            <translation>per-capita income</translation>
        </message>
        <message>
            <source>per-capita monetary assets</source>
            <translation>per-capita monetary assets</translation>
        </message>
        <message>
            <source>monthly benefit</source>
            <translation>monthly benefit</translation>
        </message>
        <message>
            <source>next review</source>
            <translation>next review</translation>
        </message>
        <message>
            <source>review interval</source>
            <translation>review interval</translation>
        </message>
        <message>
            <source>benefit taper</source>
            <translation>benefit taper</translation>
        </message>
    </context>
    <context>
        <name>ReviewQueuePage</name>
        <message>
            <source>Reviews</source>
            <extracomment>the queue column with the server's verdict on the device signature outcomes of the server's eligibility recomputation (sync.server.recompute.Outcome)</extracomment>
            <translation>Reviews</translation>
        </message>
        <message>
            <source>Refresh</source>
            <translation>Refresh</translation>
        </message>
        <message>
            <source>Visit date</source>
            <translation>Visit date</translation>
        </message>
        <message>
            <source>Kind</source>
            <translation>Kind</translation>
        </message>
        <message>
            <source>Status</source>
            <translation>Status</translation>
        </message>
        <message>
            <source>Server check</source>
            <translation>Server check</translation>
        </message>
        <message>
            <source>Signature</source>
            <translation>Signature</translation>
        </message>
        <message>
            <source>Field</source>
            <translation>Field</translation>
        </message>
        <message>
            <source>Value</source>
            <translation>Value</translation>
        </message>
        <message>
            <source>Previous visit</source>
            <translation>Previous visit</translation>
        </message>
        <message>
            <source>This visit</source>
            <translation>This visit</translation>
        </message>
        <message>
            <source>Data</source>
            <translation>Data</translation>
        </message>
        <message>
            <source>Changes</source>
            <translation>Changes</translation>
        </message>
        <message>
            <source>Photos and signatures</source>
            <translation>Photos and signatures</translation>
        </message>
        <message>
            <source>History</source>
            <translation>History</translation>
        </message>
        <message>
            <source>Comment on</source>
            <translation>Comment on</translation>
        </message>
        <message>
            <source>What must the author check or correct?</source>
            <translation>What must the author check or correct?</translation>
        </message>
        <message>
            <source>Add comment</source>
            <translation>Add comment</translation>
        </message>
        <message>
            <source>Note</source>
            <translation>Note</translation>
        </message>
        <message>
            <source>Approve</source>
            <translation>Approve</translation>
        </message>
        <message>
            <source>Return for correction</source>
            <translation>Return for correction</translation>
        </message>
        <message>
            <source>Agrees</source>
            <translation>Agrees</translation>
        </message>
        <message>
            <source>Differs</source>
            <translation>Differs</translation>
        </message>
        <message>
            <source>Not checked</source>
            <translation>Not checked</translation>
        </message>
        <message>
            <source>Verified ✔</source>
            <translation>Verified ✔</translation>
        </message>
        <message>
            <source>Not verified</source>
            <translation>Not verified</translation>
        </message>
        <message>
            <source>Choose a visit from the queue.</source>
            <translation>Choose a visit from the queue.</translation>
        </message>
        <message>
            <source>%1 · %2 · %3 · revision %4</source>
            <translation>%1 · %2 · %3 · revision %4</translation>
        </message>
        <message>
            <source>The server has not recomputed this visit yet.</source>
            <translation>The server has not recomputed this visit yet.</translation>
        </message>
        <message>
            <source>The server's recomputation agrees with the laptop.</source>
            <translation>The server's recomputation agrees with the laptop.</translation>
        </message>
        <message>
            <source>The server's recomputation differs: %1</source>
            <translation>The server's recomputation differs: %1</translation>
        </message>
        <message>
            <source>Changes (first visit)</source>
            <translation>Changes (first visit)</translation>
        </message>
        <message>
            <source>Photo</source>
            <translation>Photo</translation>
        </message>
        <message>
            <source>Household</source>
            <translation>Household</translation>
        </message>
        <message>
            <source>Signature: %1</source>
            <translation>Signature: %1</translation>
        </message>
        <message numerus="yes">
            <source>%n attachment(s) not on this laptop yet</source>
            <translation>
                <numerusform>%n attachment not on this laptop yet</numerusform>
                <numerusform>%n attachments not on this laptop yet</numerusform>
            </translation>
        </message>
        <message>
            <source>%1  revision %2: %3</source>
            <translation>%1  revision %2: %3</translation>
        </message>
        <message>
            <source>Approved</source>
            <translation>Approved</translation>
        </message>
        <message>
            <source>Returned</source>
            <translation>Returned</translation>
        </message>
        <message>
            <source>Head of household</source>
            <translation>Head of household</translation>
        </message>
        <message>
            <source>(not synced yet)</source>
            <translation>(not synced yet)</translation>
        </message>
        <message>
            <source>Not compared</source>
            <translation>Not compared</translation>
        </message>
        <message>
            <source>The laptop sent no eligibility result; the server could not compare.</source>
            <translation>The laptop sent no eligibility result; the server could not compare.</translation>
        </message>
        <message>
            <source>The server could not recompute this visit (%1).</source>
            <translation>The server could not recompute this visit (%1).</translation>
        </message>
        <message>
            <source>Print form (PDF)</source>
            <translation>Print form (PDF)</translation>
        </message>
        <message>
            <source>unknown</source>
            <translation>unknown</translation>
        </message>
        <message>
            <source>Device signature verified ✔ (device %1)</source>
            <translation>Device signature verified ✔ (device %1)</translation>
        </message>
        <message>
            <source>Device signature: not checked by the server yet.</source>
            <translation>Device signature: not checked by the server yet.</translation>
        </message>
        <message>
            <source>Warning: the device signature does not match. This visit may have been altered after it was completed on device %1; do not approve it without checking.</source>
            <translation>Warning: the device signature does not match. This visit may have been altered after it was completed on device %1; do not approve it without checking.</translation>
        </message>
        <message>
            <source>Warning: this visit carries no device signature; it cannot be traced to a laptop.</source>
            <translation>Warning: this visit carries no device signature; it cannot be traced to a laptop.</translation>
        </message>
        <message>
            <source>Warning: the visit is signed by device %1, which the server does not know.</source>
            <translation>Warning: the visit is signed by device %1, which the server does not know.</translation>
        </message>
        <message>
            <source>Warning: the device signature could not be verified (%1).</source>
            <translation>Warning: the device signature could not be verified (%1).</translation>
        </message>
        <message>
            <source>Save the visit form</source>
            <translation>Save the visit form</translation>
        </message>
    </context>
    <context>
        <name>RowsStep</name>
        <message>
            <source>Remove this row</source>
            <translation>Remove this row</translation>
        </message>
        <message>
            <source>Whole household</source>
            <translation>Whole household</translation>
        </message>
        <message>
            <source>(no name)</source>
            <translation>(no name)</translation>
        </message>
        <message>
            <source>yuan</source>
            <translation>yuan</translation>
        </message>
    </context>
    <context>
        <name>SpotCheckPage</name>
        <message>
            <source>Random spot checks</source>
            <translation>Random spot checks</translation>
        </message>
        <message>
            <source>Approved households and inspectors are both drawn at random on the server. The seed is recorded with the draw, so anyone can replay it and get the same sample; each inspector's share becomes a task.</source>
            <translation>Approved households and inspectors are both drawn at random on the server. The seed is recorded with the draw, so anyone can replay it and get the same sample; each inspector's share becomes a task.</translation>
        </message>
        <message>
            <source>New draw</source>
            <translation>New draw</translation>
        </message>
        <message>
            <source>Region</source>
            <translation>Region</translation>
        </message>
        <message>
            <source>Households</source>
            <translation>Households</translation>
        </message>
        <message>
            <source>Inspectors</source>
            <translation>Inspectors</translation>
        </message>
        <message>
            <source>Seed (blank: random)</source>
            <translation>Seed (blank: random)</translation>
        </message>
        <message>
            <source>Deadline</source>
            <translation>Deadline</translation>
        </message>
        <message>
            <source>Draw</source>
            <translation>Draw</translation>
        </message>
        <message>
            <source>Result</source>
            <translation>Result</translation>
        </message>
        <message>
            <source>Refresh</source>
            <translation>Refresh</translation>
        </message>
        <message>
            <source>Drawn at</source>
            <translation>Drawn at</translation>
        </message>
        <message>
            <source>Seed</source>
            <translation>Seed</translation>
        </message>
        <message>
            <source>Sample</source>
            <translation>Sample</translation>
        </message>
        <message>
            <source>Tasks</source>
            <translation>Tasks</translation>
        </message>
        <message>
            <source>Reproducible</source>
            <translation>Reproducible</translation>
        </message>
        <message>
            <source>Enter the region to draw from.</source>
            <translation>Enter the region to draw from.</translation>
        </message>
        <message>
            <source>Seed: –</source>
            <translation>Seed: –</translation>
        </message>
        <message>
            <source>Seed: %1</source>
            <translation>Seed: %1</translation>
        </message>
        <message>
            <source>%1 of %2 approved households drawn, %3 inspector(s), %4 task(s) created. Replayed from the seed: %5</source>
            <translation>%1 of %2 approved households drawn, %3 inspector(s), %4 task(s) created. Replayed from the seed: %5</translation>
        </message>
        <message>
            <source>same sample</source>
            <translation>same sample</translation>
        </message>
        <message>
            <source>DIFFERS</source>
            <translation>DIFFERS</translation>
        </message>
    </context>
    <context>
        <name>SupervisionSection</name>
        <message>
            <source>Reviews</source>
            <extracomment>the pages were emptied by a lapsed lease and wait for the data to come back</extracomment>
            <translation>Reviews</translation>
        </message>
        <message>
            <source>Conflicts</source>
            <translation>Conflicts</translation>
        </message>
        <message>
            <source>Dashboards</source>
            <translation>Dashboards</translation>
        </message>
        <message>
            <source>Tasks</source>
            <translation>Tasks</translation>
        </message>
        <message>
            <source>Spot checks</source>
            <translation>Spot checks</translation>
        </message>
        <message>
            <source>Returned visits</source>
            <translation>Returned visits</translation>
        </message>
        <message>
            <source>Supervision</source>
            <translation>Supervision</translation>
        </message>
    </context>
    <context>
        <name>SyncPage</name>
        <message>
            <source>The household is no longer in your tasks; dismiss the change to remove it from this laptop</source>
            <translation>The household is no longer in your tasks; dismiss the change to remove it from this laptop</translation>
        </message>
        <message>
            <source>Sync</source>
            <translation>Sync</translation>
        </message>
        <message>
            <source>Sync now</source>
            <translation>Sync now</translation>
        </message>
        <message>
            <source>Conflicts: the same field changed in two places</source>
            <translation>Conflicts: the same field changed in two places</translation>
        </message>
        <message>
            <source>Household</source>
            <translation>Household</translation>
        </message>
        <message>
            <source>Record</source>
            <translation>Record</translation>
        </message>
        <message>
            <source>Field</source>
            <translation>Field</translation>
        </message>
        <message>
            <source>Value kept by the server</source>
            <translation>Value kept by the server</translation>
        </message>
        <message>
            <source>Other value</source>
            <translation>Other value</translation>
        </message>
        <message>
            <source>Changes the server refused</source>
            <translation>Changes the server refused</translation>
        </message>
        <message>
            <source>Dismiss the selected change</source>
            <translation>Dismiss the selected change</translation>
        </message>
        <message>
            <source>Fields</source>
            <translation>Fields</translation>
        </message>
        <message>
            <source>Reason</source>
            <translation>Reason</translation>
        </message>
        <message>
            <source>Member</source>
            <translation>Member</translation>
        </message>
        <message>
            <source>Visit</source>
            <translation>Visit</translation>
        </message>
        <message>
            <source>Clue</source>
            <translation>Clue</translation>
        </message>
        <message>
            <source>Photo or signature</source>
            <translation>Photo or signature</translation>
        </message>
        <message>
            <source>Syncing with the server…</source>
            <translation>Syncing with the server…</translation>
        </message>
        <message>
            <source>The server is reachable.</source>
            <translation>The server is reachable.</translation>
        </message>
        <message>
            <source>Working offline. Changes are kept on this laptop until the next sync.</source>
            <translation>Working offline. Changes are kept on this laptop until the next sync.</translation>
        </message>
        <message>
            <source>never</source>
            <translation>never</translation>
        </message>
        <message>
            <source>Changes waiting to be sent: %1</source>
            <translation>Changes waiting to be sent: %1</translation>
        </message>
        <message>
            <source>Conflicts to resolve: %1</source>
            <translation>Conflicts to resolve: %1</translation>
        </message>
        <message>
            <source>Rejected changes: %1</source>
            <translation>Rejected changes: %1</translation>
        </message>
        <message>
            <source>Last synced: %1</source>
            <translation>Last synced: %1</translation>
        </message>
    </context>
    <context>
        <name>SyncStatusWidget</name>
        <message>
            <source>Syncing…</source>
            <translation>Syncing…</translation>
        </message>
        <message>
            <source>Online</source>
            <translation>Online</translation>
        </message>
        <message>
            <source>Offline</source>
            <translation>Offline</translation>
        </message>
        <message numerus="yes">
            <source>%n change(s) waiting</source>
            <translation>
                <numerusform>%n change waiting</numerusform>
                <numerusform>%n changes waiting</numerusform>
            </translation>
        </message>
        <message>
            <source>Nothing waiting</source>
            <translation>Nothing waiting</translation>
        </message>
        <message numerus="yes">
            <source>%n conflict(s) to resolve</source>
            <translation>
                <numerusform>%n conflict to resolve</numerusform>
                <numerusform>%n conflicts to resolve</numerusform>
            </translation>
        </message>
        <message numerus="yes">
            <source>%n change(s) refused</source>
            <translation>
                <numerusform>%n change refused</numerusform>
                <numerusform>%n changes refused</numerusform>
            </translation>
        </message>
        <message>
            <source>Never synced</source>
            <translation>Never synced</translation>
        </message>
        <message>
            <source>Last synced %1</source>
            <translation>Last synced %1</translation>
        </message>
        <message>
            <source>Offline lease lapsed: sync to continue</source>
            <translation>Offline lease lapsed: sync to continue</translation>
        </message>
        <message>
            <source>Offline lease until %1</source>
            <translation>Offline lease until %1</translation>
        </message>
        <message>
            <source>{day} {month_name} {time}</source>
            <translation>{day} {month_name} {time}</translation>
        </message>
    </context>
    <context>
        <name>TasksPage</name>
        <message>
            <source>Tasks</source>
            <extracomment>(export kind) -&gt; (suggested file name, writer) (caption, suggested name) -&gt; chosen path or "" (a file dialog; tests put a function here)</extracomment>
            <translation>Tasks</translation>
        </message>
        <message>
            <source>Refresh</source>
            <translation>Refresh</translation>
        </message>
        <message>
            <source>Title</source>
            <translation>Title</translation>
        </message>
        <message>
            <source>Kind</source>
            <translation>Kind</translation>
        </message>
        <message>
            <source>Assigned to</source>
            <translation>Assigned to</translation>
        </message>
        <message>
            <source>Deadline</source>
            <translation>Deadline</translation>
        </message>
        <message>
            <source>Visited</source>
            <translation>Visited</translation>
        </message>
        <message>
            <source>Status</source>
            <translation>Status</translation>
        </message>
        <message>
            <source>New task from a filter</source>
            <translation>New task from a filter</translation>
        </message>
        <message>
            <source>Grid</source>
            <translation>Grid</translation>
        </message>
        <message>
            <source>Assign to</source>
            <translation>Assign to</translation>
        </message>
        <message>
            <source>Only households due for review</source>
            <translation>Only households due for review</translation>
        </message>
        <message>
            <source>A worker (user id)</source>
            <translation>A worker (user id)</translation>
        </message>
        <message>
            <source>An agency (agency id)</source>
            <translation>An agency (agency id)</translation>
        </message>
        <message>
            <source>Create task</source>
            <translation>Create task</translation>
        </message>
        <message>
            <source>Create from a list (.xlsx/.csv)…</source>
            <translation>Create from a list (.xlsx/.csv)…</translation>
        </message>
        <message>
            <source>One ID number or household id per row (first column); the task is created only when every row names a household of your area.</source>
            <translation>One ID number or household id per row (first column); the task is created only when every row names a household of your area.</translation>
        </message>
        <message>
            <source>Selected task</source>
            <translation>Selected task</translation>
        </message>
        <message>
            <source>Staff user ids, separated by commas</source>
            <translation>Staff user ids, separated by commas</translation>
        </message>
        <message>
            <source>Split among staff</source>
            <translation>Split among staff</translation>
        </message>
        <message>
            <source>Close task</source>
            <translation>Close task</translation>
        </message>
        <message>
            <source>Exports</source>
            <translation>Exports</translation>
        </message>
        <message>
            <source>Ledger (Excel)</source>
            <translation>Ledger (Excel)</translation>
        </message>
        <message>
            <source>Public-notice list</source>
            <translation>Public-notice list</translation>
        </message>
        <message>
            <source>Clue ledger</source>
            <translation>Clue ledger</translation>
        </message>
        <message>
            <source>Agency %1</source>
            <translation>Agency %1</translation>
        </message>
        <message>
            <source>Closed</source>
            <translation>Closed</translation>
        </message>
        <message>
            <source>Open</source>
            <translation>Open</translation>
        </message>
        <message>
            <source>Choose a grid and whom to assign the task to.</source>
            <translation>Choose a grid and whom to assign the task to.</translation>
        </message>
        <message>
            <source>Choose whom to assign the task to.</source>
            <translation>Choose whom to assign the task to.</translation>
        </message>
        <message>
            <source>Open a list of ID numbers or households</source>
            <translation>Open a list of ID numbers or households</translation>
        </message>
        <message numerus="yes">
            <source>No task was created: %n row(s) of the list cannot be used. Correct them and import the list again.</source>
            <translation>
                <numerusform>No task was created: %n row of the list cannot be used. Correct them and import the list again.</numerusform>
                <numerusform>No task was created: %n rows of the list cannot be used. Correct them and import the list again.</numerusform>
            </translation>
        </message>
        <message numerus="yes">
            <source>Task created with %n household(s).</source>
            <translation>
                <numerusform>Task created with %n household.</numerusform>
                <numerusform>Task created with %n households.</numerusform>
            </translation>
        </message>
        <message>
            <source>Choose a task and enter the staff to share it among.</source>
            <translation>Choose a task and enter the staff to share it among.</translation>
        </message>
        <message>
            <source>Save export</source>
            <translation>Save export</translation>
        </message>
        <message>
            <source>Saved: %1</source>
            <translation>Saved: %1</translation>
        </message>
    </context>
    <context>
        <name>UnlockPage</name>
        <message>
            <source>Unlocking…</source>
            <translation>Unlocking…</translation>
        </message>
        <message>
            <source>Unlock</source>
            <translation>Unlock</translation>
        </message>
        <message>
            <source>Locked</source>
            <translation>Locked</translation>
        </message>
        <message>
            <source>Jiafang is locked. Enter your password to continue.</source>
            <translation>Jiafang is locked. Enter your password to continue.</translation>
        </message>
        <message numerus="yes">
            <source>Jiafang locked itself after %n minute(s) without use. Enter your password to continue.</source>
            <translation>
                <numerusform>Jiafang locked itself after %n minute without use. Enter your password to continue.</numerusform>
                <numerusform>Jiafang locked itself after %n minutes without use. Enter your password to continue.</numerusform>
            </translation>
        </message>
        <message>
            <source>Unlock Jiafang</source>
            <translation>Unlock Jiafang</translation>
        </message>
        <message>
            <source>Choose your account and enter your password. No network is needed.</source>
            <translation>Choose your account and enter your password. No network is needed.</translation>
        </message>
        <message>
            <source>Password</source>
            <translation>Password</translation>
        </message>
        <message>
            <source>Register another account…</source>
            <translation>Register another account…</translation>
        </message>
        <message>
            <source>Sign in online</source>
            <translation>Sign in online</translation>
        </message>
        <message>
            <source>Too many wrong passwords. Connect to the network and sign in online with your password to unlock this laptop.</source>
            <translation>Too many wrong passwords. Connect to the network and sign in online with your password to unlock this laptop.</translation>
        </message>
        <message numerus="yes">
            <source>Too many wrong passwords. Try again in %n second(s).</source>
            <translation>
                <numerusform>Too many wrong passwords. Try again in %n second.</numerusform>
                <numerusform>Too many wrong passwords. Try again in %n seconds.</numerusform>
            </translation>
        </message>
        <message>
            <source>Enter your password.</source>
            <translation>Enter your password.</translation>
        </message>
    </context>
    <context>
        <name>VisitFormPage</name>
        <message>
            <source>Recovered unsaved changes</source>
            <translation>Recovered unsaved changes</translation>
        </message>
        <message>
            <source>Saved</source>
            <translation>Saved</translation>
        </message>
        <message>
            <source>Saved %1</source>
            <translation>Saved %1</translation>
        </message>
        <message>
            <source>Draft autosaved %1</source>
            <translation>Draft autosaved %1</translation>
        </message>
        <message>
            <source>1 Basics</source>
            <translation>1 Basics</translation>
        </message>
        <message>
            <source>2 Members</source>
            <translation>2 Members</translation>
        </message>
        <message>
            <source>3 Incomes</source>
            <translation>3 Incomes</translation>
        </message>
        <message>
            <source>4 Assets</source>
            <translation>4 Assets</translation>
        </message>
        <message>
            <source>5 Expenses</source>
            <translation>5 Expenses</translation>
        </message>
        <message>
            <source>6 Living conditions</source>
            <translation>6 Living conditions</translation>
        </message>
        <message>
            <source>7 Photos and signatures</source>
            <translation>7 Photos and signatures</translation>
        </message>
        <message>
            <source>8 Finding</source>
            <translation>8 Finding</translation>
        </message>
        <message>
            <source>Visit: %1</source>
            <translation>Visit: %1</translation>
        </message>
        <message>
            <source>Back</source>
            <translation>Back</translation>
        </message>
        <message>
            <source>Next</source>
            <translation>Next</translation>
        </message>
        <message>
            <source>Save draft</source>
            <translation>Save draft</translation>
        </message>
        <message>
            <source>Complete visit</source>
            <translation>Complete visit</translation>
        </message>
        <message>
            <source>Close</source>
            <translation>Close</translation>
        </message>
        <message>
            <source>Discard typing</source>
            <translation>Discard typing</translation>
        </message>
        <message>
            <source>Unsaved changes</source>
            <translation>Unsaved changes</translation>
        </message>
        <message numerus="yes">
            <source>%n field(s) to correct</source>
            <translation>
                <numerusform>%n field to correct</numerusform>
                <numerusform>%n fields to correct</numerusform>
            </translation>
        </message>
        <message numerus="yes">
            <source>%n signature(s) missing</source>
            <translation>
                <numerusform>%n signature missing</numerusform>
                <numerusform>%n signatures missing</numerusform>
            </translation>
        </message>
    </context>
    <context>
        <name>WorkspaceWidget</name>
        <message>
            <source>Home</source>
            <translation>Home</translation>
        </message>
        <message>
            <source>Households</source>
            <translation>Households</translation>
        </message>
        <message>
            <source>Clues</source>
            <translation>Clues</translation>
        </message>
        <message>
            <source>Sync</source>
            <translation>Sync</translation>
        </message>
        <message>
            <source>Signed in: %1</source>
            <translation>Signed in: %1</translation>
        </message>
        <message>
            <source>Lock now</source>
            <translation>Lock now</translation>
        </message>
    </context>
</TS>
